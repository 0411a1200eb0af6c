"""Inspection items (`controls:`): schema, references checked with file:line, shipped packs."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitei.policy import PackError, load_pack
from kitei.policy.loader import shipped_pack_ids
from kitei.policy.quotes import check_quotes

CONTROLS = """
controls:
  - id: c-disposal
    clause: "3(2)コ(イ)"
    quote: "日時、担当者の氏名及び処理内容を記録しなければならない"
    actors: [information_security_manager]
    scope: department
    kind: record
    evidence: [book:disposal]
"""


def _with(path: Path, text: str) -> Path:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def _errors(path: Path) -> list[str]:
    with pytest.raises(PackError) as info:
        load_pack(path)
    return info.value.errors


def test_controls_load_with_their_hints(sample_copy: Path) -> None:
    pack = load_pack(_with(sample_copy, CONTROLS)).pack
    (control,) = pack.controls
    assert control.scope == "department"
    assert control.hints("book") == ("disposal",)
    assert control.hints("action") == ()
    assert control.question_text() == (
        "「日時、担当者の氏名及び処理内容を記録しなければならない」のとおり実施していますか。"
    )


def test_undefined_role_and_book_are_reported_at_their_lines(sample_copy: Path) -> None:
    broken = CONTROLS.replace("[information_security_manager]", "[mayor]").replace(
        "book:disposal", "book:nowhere"
    )
    path = _with(sample_copy, broken)
    assert _errors(path) == [
        f"{path}:{_line_of(path, '[mayor]')}: undefined role 'mayor'"
        " (one of: ciso, information_security_manager, members_and_staff)",
        f"{path}:{_line_of(path, 'book:nowhere')}: undefined record book 'nowhere'"
        " (one of: disposal)",
    ]


def test_undefined_action_and_duty(sample_copy: Path) -> None:
    path = _with(sample_copy, CONTROLS.replace("[book:disposal]", "[action:x.nope, duty:yearly]"))
    line = _line_of(path, "action:x.nope")
    assert _errors(path) == [
        f"{path}:{line}: undefined action 'x.nope'",
        f"{path}:{line}: undefined periodic duty 'yearly'",
    ]


def test_bad_scope_kind_and_hint_are_schema_errors(sample_copy: Path) -> None:
    broken = (
        CONTROLS.replace("scope: department", "scope: 課")
        .replace("kind: record", "kind: audit")
        .replace("book:disposal", "file:x")
    )
    path = _with(sample_copy, broken)
    errors = _errors(path)
    assert len(errors) == 3
    assert errors[0].startswith(f"{path}:{_line_of(path, 'scope: 課')}: controls.0.scope")
    assert errors[1].startswith(f"{path}:{_line_of(path, 'kind: audit')}: controls.0.kind")
    assert errors[2].startswith(f"{path}:{_line_of(path, 'file:x')}: controls.0.evidence")


def test_duplicate_control_id(sample_copy: Path) -> None:
    path = _with(sample_copy, CONTROLS + CONTROLS.replace("controls:\n", ""))
    lines = [
        n
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if "id: c-disposal" in line
    ]
    assert _errors(path) == [f"{path}:{lines[1]}: duplicate id 'c-disposal' in controls"]


def test_a_quote_not_in_the_seed_is_reported(sample_copy: Path, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "002_ecf5b63335077659.txt").write_text(
        "廃棄した場合は、日時、担当者の氏名及び処理内容を記録しなければならない。", "utf-8"
    )
    path = _with(sample_copy, CONTROLS.replace("処理内容を記録", "処理内容を必ず記録"))
    errors = [e for e in check_quotes(load_pack(path), seeds) if "必ず" in e]
    line = _line_of(path, "必ず記録")
    assert errors == [
        f"{path}:{line}: quote not found in 002_ecf5b63335077659.txt: "
        "「日時、担当者の氏名及び処理内容を必ず記録しなければならない」"
    ]


@pytest.mark.parametrize("pack_id", shipped_pack_ids())
def test_every_shipped_pack_has_inspection_items(pack_id: str) -> None:
    pack = load_pack(pack_id).pack
    assert pack.controls
    duties = {d.id for d in pack.periodic_duties}
    assert duties & {
        "self-inspection",
        "self-inspection-systems",
        "self-inspection-policy",
        "questionnaire-inspection",
    }


def test_mito_has_items_at_every_scope_and_toyama_per_person() -> None:
    mito = {c.scope for c in load_pack("mito-city-council").pack.controls}
    assert mito == {"organization", "department", "system", "person"}
    toyama = load_pack("toyama-kankoji-kumiai").pack.controls
    assert any(c.scope == "person" and "union_members" in c.actors for c in toyama)
