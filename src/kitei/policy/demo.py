"""`kitei demo`: a guided walk through a few decisions of every shipped pack, in Japanese.

The requests come from each pack's cases.yaml (one of each effect), so the walk shows what
the engine really answers; the web application later replaces this with the running server.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

from kitei.policy.actions import CANONICAL_ACTIONS
from kitei.policy.adoption import adopt
from kitei.policy.engine import Engine
from kitei.policy.loader import PackError, load_cases, load_pack, load_pack_source, shipped_pack_ids
from kitei.policy.model import Case
from kitei.policy.report import explain, gaps

RULE = "─" * 72

# The adoption example: a 基本方針-only body adopting a model 対策基準 (a fictional decision).
ADOPTER, MODEL = "gamagori-city", "mito-city-council"
ADOPTION_ROLES: dict[str, Any] = {
    "members_and_staff": "staff",
    "information_security_manager": {
        "id": "information_security_manager",
        "title": "情報セキュリティ管理者",
        "holder": "各課の課長",
    },
}
ADOPTION_REQUEST = {
    "action": "asset.take_out",
    "actor": {"roles": ["職員等"]},
    "resource": {"kind": "asset", "classification": {"機密性": "2"}},
}


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
    if only in (None, ADOPTER):
        _adoption_example(out)
    print(
        f"\n{RULE}\n次の一歩: kitei policy explain mito-city-council request.json"
        "（docs/policy-packs.md）",
        file=out,
    )
    return 0


def _adoption_example(out: TextIO) -> None:
    """A body whose 対策基準 is not encoded adopts a shipped one (kitei policy adopt)."""
    own, model = load_pack(ADOPTER), load_pack(MODEL)
    text = adopt(
        own,
        model,
        ADOPTION_ROLES,
        decided_by="デモ用の架空の決定",
        decided_on="2026-04-01",
    )
    adopted = Engine(load_pack_source(text.encode("utf-8"), Path(f"{ADOPTER}-adopted.yaml")))
    title = CANONICAL_ACTIONS[str(ADOPTION_REQUEST["action"])]
    print(
        f"\n{RULE}\n採用の例: {own.pack.organization} が {model.pack.name} "
        "をモデルとして採用した場合",
        file=out,
    )
    print(
        "（架空の決定。採用するまでは、自組織のパックのとおり「規程に定めなし」のままです）",
        file=out,
    )
    print("  申請: " + json.dumps(ADOPTION_REQUEST, ensure_ascii=False), file=out)
    decision = adopted.decide(ADOPTION_REQUEST)
    print("\n".join("  " + line for line in explain(decision, title).splitlines()), file=out)
