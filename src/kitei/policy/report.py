"""Human-readable views of packs and decisions: explanation, gaps, and rule-level diffs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kitei.policy.actions import CANONICAL_ACTIONS
from kitei.policy.decision import Decision
from kitei.policy.loader import LoadedPack
from kitei.policy.model import UNSPECIFIED, Pack

OVERRIDE_TITLE = {"none": "例外なし", "with_reason": "やむを得ない場合は理由を記録して例外可"}


def explain(decision: Decision, action_title: str) -> str:
    """The decision in Japanese, for the person who asked."""
    lines = [
        f"操作: {action_title}",
        f"判断: {decision.effect.label}（{decision.effect}）",
    ]
    if decision.approvals:
        lines.append("承認経路（すべての段階が必要です）:")
        for n, step in enumerate(decision.approvals, 1):
            names = "・".join(title for _, title in step.roles)
            lines.append(f"  {n}. {names}（{step.mode.label}）")
    if decision.obligations:
        lines.append("遵守事項:")
        lines.extend(f"  - {text}" for _, text in decision.obligations)
    if decision.records:
        lines.append("記録:")
        for _, title, fields in decision.records:
            suffix = f"（{'、'.join(fields)}）" if fields else ""
            lines.append(f"  - {title}{suffix}")
    if decision.constraints:
        lines.append("職務の分離:")
        for c in decision.constraints:
            lines.append(f"  - {c.reason.message}［{OVERRIDE_TITLE[c.override]}］")
            lines.append(f"    根拠: {c.reason.clause}「{c.reason.quote}」（{c.reason.source}）")
    lines.append("根拠:")
    for reason in decision.reasons:
        lines.append(f"  - {reason.clause}: {reason.message}")
        lines.append(f"    「{reason.quote}」（{reason.source}）")
        if reason.adopted_from:
            lines.append(f"    採用: {reason.adopted_from}")
    pack = decision.pack
    lines.append(f"パック: {pack.id} {pack.version} {pack.digest}")
    return "\n".join(lines)


@dataclass(frozen=True, kw_only=True)
class Gaps:
    """What a pack leaves open: silent canonical actions and unspecified values."""

    actions: list[str]
    unspecified: list[dict[str, str]]

    def to_json(self) -> dict[str, Any]:
        return {"actions": self.actions, "unspecified": self.unspecified}


def gaps(pack: Pack) -> Gaps:
    """Canonical actions with no rule, and every parameter or period left `unspecified`."""
    regulated = {r.action for r in pack.rules}
    silent = [a for a in CANONICAL_ACTIONS if a not in regulated]
    open_values: list[dict[str, str]] = []
    for p in pack.parameters:
        if p.value == UNSPECIFIED:
            open_values.append(_gap("parameter", p.id, p.title, p.clause))
    for d in pack.periodic_duties:
        if d.frequency in ("periodic_unspecified", "per_plan"):
            open_values.append(_gap("periodic_duty", d.id, d.title, d.clause))
    for b in pack.record_books:
        if b.retention == UNSPECIFIED:
            open_values.append(_gap("record_book.retention", b.id, b.title, b.clause))
    for r in pack.roles:
        if r.holder == UNSPECIFIED and r.kind == "role":
            open_values.append(_gap("role.holder", r.id, r.title, r.clause))
    if pack.classification.status == UNSPECIFIED:
        clause = pack.classification.commitment.clause if pack.classification.commitment else "-"
        open_values.append(_gap("classification", "classification", "情報資産の分類基準", clause))
    if pack.network.model == UNSPECIFIED:
        open_values.append(_gap("network", "network", "ネットワークの分離", "-"))
    return Gaps(actions=silent, unspecified=open_values)


def _gap(kind: str, ident: str, title: str, clause: str) -> dict[str, str]:
    return {"kind": kind, "id": ident, "title": title, "clause": clause}


def format_gaps(pack: Pack, found: Gaps) -> str:
    """Gaps as text, one item a line."""
    lines = [f"{pack.id}: 定めのない操作 {len(found.actions)} 件"]
    lines.extend(f"  {a}\t{CANONICAL_ACTIONS[a]}" for a in found.actions)
    lines.append(f"{pack.id}: 未指定（unspecified）の値 {len(found.unspecified)} 件")
    lines.extend(
        f"  {g['kind']}\t{g['id']}\t{g['title']}\t{g['clause']}" for g in found.unspecified
    )
    return "\n".join(lines)


_DIFF_SECTIONS = (
    "rules",
    "roles",
    "parties",
    "separation_of_duties",
    "reporting",
    "periodic_duties",
    "parameters",
    "record_books",
    "actions",
)


def diff(old: LoadedPack, new: LoadedPack) -> list[str]:
    """Rule-level differences: `+ rules x`, `- rules y`, `~ rules z: effect permit → forbid`."""
    lines: list[str] = []
    a = old.pack.model_dump(mode="json", by_alias=True, exclude_none=True)
    b = new.pack.model_dump(mode="json", by_alias=True, exclude_none=True)
    for section in _DIFF_SECTIONS:
        before = {item["id"]: item for item in a.get(section, [])}
        after = {item["id"]: item for item in b.get(section, [])}
        lines.extend(f"- {section} {i}" for i in before if i not in after)
        lines.extend(f"+ {section} {i}" for i in after if i not in before)
        for i, item in before.items():
            if i in after and item != after[i]:
                keys = sorted(
                    k for k in item.keys() | after[i].keys() if item.get(k) != after[i].get(k)
                )
                details = ", ".join(_change(k, item.get(k), after[i].get(k)) for k in keys)
                lines.append(f"~ {section} {i}: {details}")
    for section in ("classification", "network"):
        if a.get(section) != b.get(section):
            lines.append(f"~ {section}")
    return lines


def _change(key: str, before: Any, after: Any) -> str:
    if isinstance(before, str | int | None) and isinstance(after, str | int | None):
        return f"{key} {before} → {after}"
    return key
