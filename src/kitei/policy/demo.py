"""`kitei demo`: a guided walk through a few decisions of every shipped pack, in Japanese.

The requests come from each pack's cases.yaml (one of each effect), so the walk shows what
the engine really answers; the web application later replaces this with the running server.
"""

from __future__ import annotations

import json
import sys
from typing import TextIO

from kitei.policy.actions import CANONICAL_ACTIONS
from kitei.policy.engine import Engine
from kitei.policy.loader import PackError, load_cases, load_pack, shipped_pack_ids
from kitei.policy.model import Case
from kitei.policy.report import explain, gaps

RULE = "─" * 72


def _showcase(cases: tuple[Case, ...], limit: int = 3) -> list[Case]:
    """Up to `limit` cases, preferring one of each effect (forbid, approval, permit …)."""
    chosen: list[Case] = []
    seen: set[str] = set()
    for case in cases:
        if case.expect.effect not in seen:
            chosen.append(case)
            seen.add(case.expect.effect)
    return chosen[:limit]


def run_demo(only: str | None = None, out: TextIO | None = None) -> int:
    """Print the walk; returns the exit code."""
    out = out or sys.stdout
    ids = [only] if only else shipped_pack_ids()
    print("kitei デモ: 各組織の情報セキュリティポリシーに基づく判断の例", file=out)
    for pack_id in ids:
        try:
            engine = Engine(load_pack(pack_id))
            _, case_file = load_cases(pack_id)
        except PackError as exc:
            print(f"kitei: {exc.errors[0]}", file=sys.stderr)
            return 2
        pack = engine.pack
        found = gaps(pack)
        print(f"\n{RULE}\n{pack.organization}（{pack.id} {pack.version}）", file=out)
        print(
            f"出典: {pack.source}　役割 {len(pack.roles)}　規則 {len(pack.rules)}　"
            f"定めのない操作 {len(found.actions)}/{len(CANONICAL_ACTIONS)}　"
            f"未指定の値 {len(found.unspecified)}",
            file=out,
        )
        for case in _showcase(case_file.cases):
            decision = engine.decide(case.request)
            print(f"\n■ {case.name}", file=out)
            print("  申請: " + json.dumps(case.request, ensure_ascii=False), file=out)
            action = str(case.request.get("action"))
            text = explain(decision, CANONICAL_ACTIONS.get(action, action))
            print("\n".join("  " + line for line in text.splitlines()), file=out)
    print(
        f"\n{RULE}\n次の一歩: kitei policy explain mito-city-council request.json"
        "（docs/policy-packs.md）",
        file=out,
    )
    return 0
