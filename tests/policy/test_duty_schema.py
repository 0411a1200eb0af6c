"""`periodic_duties[].scope` and `satisfied_by`: validated with file:line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitei.policy import PackError, load_pack
from kitei.policy.loader import shipped_pack_ids


def _with_duty(path: Path, extra: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert "periodic_duties" not in text
    path.write_text(
        text
        + "\nperiodic_duties:\n  - id: audit\n    title: 監査\n    frequency: fiscal_year\n"
        + extra
        + '    clause: "10-1(1)"\n    quote: "毎年度監査を行わせなければならない"\n',
        encoding="utf-8",
    )


def _line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def _errors(path: Path) -> list[str]:
    with pytest.raises(PackError) as info:
        load_pack(path)
    return info.value.errors


def test_scope_and_known_proofs_load(sample_copy: Path) -> None:
    _with_duty(sample_copy, "    scope: system\n    satisfied_by: [audit, book:disposal]\n")
    duty = load_pack(sample_copy).pack.periodic_duties[0]
    assert duty.scope == "system"
    assert duty.satisfied_by == ("audit", "book:disposal")


def test_unknown_book_and_unknown_kind_are_reported_at_their_line(sample_copy: Path) -> None:
    _with_duty(sample_copy, "    satisfied_by: [book:visitors, telepathy]\n")
    line = _line_of(sample_copy, "satisfied_by")
    assert _errors(sample_copy) == [
        f"{sample_copy}:{line}: undefined record book 'visitors' in satisfied_by",
        f"{sample_copy}:{line}: unknown satisfied_by 'telepathy' (one of: audit, "
        "self_inspection, training_session, drill, review, contract_check, book:<id>)",
    ]


def test_an_unknown_scope_is_a_schema_error_at_its_line(sample_copy: Path) -> None:
    _with_duty(sample_copy, "    scope: building\n")
    errors = _errors(sample_copy)
    assert len(errors) == 1
    assert errors[0].startswith(f"{sample_copy}:{_line_of(sample_copy, 'scope: building')}: ")


@pytest.mark.parametrize("pack_id", shipped_pack_ids())
def test_shipped_packs_name_only_what_their_seed_says(pack_id: str) -> None:
    # Audits, self-inspection, reviews, training, drills and contract checks are proofs only
    # where the clause names them; none of the shipped packs names a record book as proof.
    for duty in load_pack(pack_id).pack.periodic_duties:
        for kind in duty.satisfied_by:
            assert not kind.startswith("book:"), (pack_id, duty.id)


def test_mito_scopes_follow_the_clauses() -> None:
    duties = {d.id: d for d in load_pack("mito-city-council").pack.periodic_duties}
    assert duties["self-inspection-systems"].scope == "system"  # 所管する…情報システム
    assert duties["full-scan"].scope == "person"  # 端末 of every 議員及び職員
    assert duties["contractor-check"].scope == "contract"
    assert duties["annual-audit"].satisfied_by == ("audit",)
    assert duties["backup"].scope is None  # two roles of different scopes: left unset
