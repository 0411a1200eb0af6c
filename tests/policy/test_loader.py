"""The loader: a pack loads whole or not at all, and every error names file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitei.policy import PackError, load_pack
from kitei.policy.loader import shipped_pack_ids


def _errors(path: Path) -> list[str]:
    with pytest.raises(PackError) as info:
        load_pack(path)
    return info.value.errors


def _line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def test_sample_pack_loads_with_digest(sample_copy: Path) -> None:
    loaded = load_pack(sample_copy)
    assert loaded.pack.id == "sample"
    assert loaded.digest.startswith("sha256:")
    assert len(loaded.digest) == 7 + 64
    assert [r.id for r in loaded.pack.rules][:2] == ["take-out", "transport-encrypt"]


def test_digest_changes_with_content(sample_copy: Path) -> None:
    before = load_pack(sample_copy).digest
    sample_copy.write_text(sample_copy.read_text(encoding="utf-8") + "\n# edit\n", "utf-8")
    assert load_pack(sample_copy).digest != before


def test_unknown_key_is_reported_at_its_line(sample_copy: Path) -> None:
    text = sample_copy.read_text(encoding="utf-8")
    sample_copy.write_text(
        text.replace("    holder: 議長\n", "    holder: 議長\n    colour: red\n")
    )
    errors = _errors(sample_copy)
    assert errors == [f"{sample_copy}:{_line_of(sample_copy, 'colour')}: unknown key 'colour'"]


def test_undefined_role_in_approvals(sample_copy: Path) -> None:
    text = sample_copy.read_text(encoding="utf-8")
    sample_copy.write_text(text.replace("roles: [ciso]}]", "roles: [mayor]}]", 1))
    errors = _errors(sample_copy)
    line = _line_of(sample_copy, "roles: [mayor]")
    assert errors == [
        f"{sample_copy}:{line}: undefined role 'mayor' "
        "(one of: ciso, information_security_manager, members_and_staff)"
    ]


def test_unknown_level_in_condition(sample_copy: Path) -> None:
    text = sample_copy.read_text(encoding="utf-8")
    broken = text.replace(
        'axis: confidentiality, min: "2"}}\n    effect: forbid',
        'axis: confidentiality, min: "4"}}\n    effect: forbid',
    )
    assert broken != text
    sample_copy.write_text(broken)
    errors = _errors(sample_copy)
    line = _line_of(sample_copy, 'min: "4"')
    assert errors == [
        f"{sample_copy}:{line}: unknown level '4' of axis 'confidentiality' (one of: 1, 2, 3A)"
    ]


def test_missing_clause(sample_copy: Path) -> None:
    text = sample_copy.read_text(encoding="utf-8")
    sample_copy.write_text(text.replace('    clause: "5-1(5)"\n', ""))
    errors = _errors(sample_copy)
    assert len(errors) == 1
    assert errors[0].startswith(f"{sample_copy}:{_line_of(sample_copy, 'id: offsite')}:")
    assert errors[0].endswith("missing clause in rules.2")


def test_unknown_action(sample_copy: Path) -> None:
    text = sample_copy.read_text(encoding="utf-8")
    sample_copy.write_text(text.replace("action: equipment.install_offsite", "action: x"))
    (error,) = _errors(sample_copy)
    assert error.startswith(
        f"{sample_copy}:{_line_of(sample_copy, 'action: x')}: unknown action 'x' (one of: "
        "asset.take_out, asset.transport,"
    )


def test_several_errors_are_all_reported_sorted_by_line(sample_copy: Path) -> None:
    text = sample_copy.read_text(encoding="utf-8")
    text = text.replace("roles: [ciso]}]", "roles: [nobody]}]")
    text = text.replace("records: [", "records: [")  # unchanged: keeps the count honest
    sample_copy.write_text(text)
    errors = _errors(sample_copy)
    assert len(errors) == 2
    lines = [int(e.split(":")[1]) for e in errors]
    assert lines == sorted(lines)


def test_duplicate_key_and_bad_yaml(sample_copy: Path) -> None:
    text = sample_copy.read_text(encoding="utf-8")
    sample_copy.write_text(text.replace('version: "0.1.0"\n', 'version: "0.1.0"\nversion: x\n'))
    assert _errors(sample_copy) == [f"{sample_copy}:6: duplicate key 'version'"]
    sample_copy.write_text("id: [unclosed\n")
    (error,) = _errors(sample_copy)
    assert error.startswith(f"{sample_copy}:")
    assert "invalid YAML" in error


def test_bad_duration_and_quote_too_long(sample_copy: Path) -> None:
    text = sample_copy.read_text(encoding="utf-8")
    extra = (
        "parameters:\n  - {id: logs, title: ログ, value: one-month, "
        'clause: "7-1(6)ア", quote: "1か月程度"}\n'
    )
    sample_copy.write_text(text + extra)
    (error,) = _errors(sample_copy)
    assert "not ISO 8601" in error
    assert error.startswith(f"{sample_copy}:{_line_of(sample_copy, 'id: logs')}:")
    sample_copy.write_text(
        text.replace('quote: "止むを得ない場合を除き"', 'quote: "' + "あ" * 61 + '"')
    )
    (error,) = _errors(sample_copy)
    assert "at most 60 characters" in error


def test_missing_pack_is_named() -> None:
    with pytest.raises(PackError) as info:
        load_pack("no-such-pack")
    assert info.value.errors[0].startswith("no-such-pack: no such pack")


def test_shipped_packs_are_the_five_seeds() -> None:
    assert shipped_pack_ids() == [
        "gamagori-city",
        "mito-city-council",
        "miyagi-jichi-center",
        "shinagawa-city",
        "toyama-kankoji-kumiai",
    ]
