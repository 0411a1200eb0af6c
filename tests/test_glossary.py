"""docs/glossary.md maps 日本語 ↔ English ↔ identifier for every name the packs use."""

from __future__ import annotations

import re
from pathlib import Path

from kitei.policy import load_pack
from kitei.policy.actions import CANONICAL_ACTIONS
from kitei.policy.loader import shipped_pack_ids

GLOSSARY = Path(__file__).resolve().parents[1] / "docs" / "glossary.md"


def _rows() -> dict[str, tuple[str, str]]:
    rows = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and (m := re.fullmatch(r"`([^`]+)`", cells[2])):
            rows[m.group(1)] = (cells[0], cells[1])
    return rows


def test_every_pack_name_has_a_glossary_row() -> None:
    rows = _rows()
    needed: dict[str, str] = dict(CANONICAL_ACTIONS)
    for pack_id in shipped_pack_ids():
        pack = load_pack(pack_id).pack
        needed.update({r.id: r.title for r in pack.roles})
        needed.update({a.id: a.title for a in pack.classification.axes})
        needed.update({z.id: z.title for z in pack.network.zones})
        needed.update({b.id: b.title for b in pack.record_books})
    missing = sorted(i for i in needed if i not in rows)
    assert missing == []


def test_rows_are_complete_and_identifiers_are_not_romaji() -> None:
    rows = _rows()
    assert len(rows) > 50
    for ident, (japanese, english) in rows.items():
        assert japanese, ident
        assert english, ident
        assert not re.search(r"(kanri|joho|sekinin|kinou|kimitsu)", ident), ident
