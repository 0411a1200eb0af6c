"""Errors that say what to type: the mistakes a newcomer made writing a pack (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitei.cli import main
from kitei.policy import PackError, load_pack
from kitei.policy.loader import load_cases

from .conftest import FIXTURES

PYTHON_WORDS = ("Input should", "tuple", "Tuple", "dict", "instance of", "Value error", "str'")

CHAIN = """
reporting:
  - id: incident
    title: 事故の報告
    event: incident
    steps:
      - {from: members_and_staff, to: [information_security_manager], clause: "6-3(1)ア",
         quote: "情報セキュリティ管理者に報告し"}
      - {from: [information_security_manager], to: [ciso], clause: "6-3(1)イ", quote: "CISO"}
      - {from: [ciso], to: [ciso], clause: "6-3(1)イ", quote: "CISO"}
"""


def _errors(path: Path, text: str) -> list[str]:
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack(path)
    errors = info.value.errors
    assert len(errors) == len(set(errors)), "each message once"
    for error in errors:
        assert not any(word in error for word in PYTHON_WORDS), error
    return errors


def _line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_shape_mistakes_say_what_to_type(sample_copy: Path) -> None:
    text = sample_copy.read_text(encoding="utf-8")
    text = text.replace(
        "roles: [information_security_manager]}]\n    message: 持ち出し",
        "roles: information_security_manager}]\n    message: 持ち出し",
    )
    text = text.replace("effect: forbid\n", "effect: forbidden\n")
    text = text.replace('version: "0.1.0"', 'version: "0.1.0"\nkind: banana')
    text = text.replace(
        'axis: confidentiality, min: "2"}}\n    effect: forbid',
        "axis: confidentiality, min: 2}}\n    effect: forbid",
    )
    text = text.replace("    holder: 議長\n", "    holdr: 議長\n")
    text += CHAIN
    errors = _errors(sample_copy, text)
    p = sample_copy
    assert errors == sorted(
        [
            f"{p}:{_line(text, 'kind: banana')}: kind: 'banana' is not allowed (one of: "
            "municipality, special_ward, local_legislature, business_cooperative, unspecified)",
            f"{p}:{_line(text, 'holdr')}: unknown key 'holdr' (did you mean 'holder'?)",
            f"{p}:{_line(text, 'roles: information_security_manager}')}: "
            "rules.0.approvals.0.roles: a list of role ids: write [information_security_manager]",
            f"{p}:{_line(text, 'min: 2}')}: rules.3.when.classification.min: "
            'text: write it in quotes, "2"',
            f"{p}:{_line(text, 'effect: forbidden')}: rules.3.effect: 'forbidden' is not allowed "
            "(did you mean 'forbid'? one of: forbid, approval_required, permit)",
            f"{p}:{_line(text, '{from: members_and_staff')}: reporting.0.steps.0.from: "
            "a list of role or party ids: write [members_and_staff]",
        ],
        key=lambda e: int(e.split(":")[1]),
    )


def test_reference_mistakes_get_did_you_mean_and_the_valid_ids(sample_copy: Path) -> None:
    text = sample_copy.read_text(encoding="utf-8")
    text = text.replace("action: asset.transport", "action: asset.transprot")
    text = text.replace("roles: [ciso]}]", "roles: [cisco]}]", 1)
    text = text.replace(
        'axis: confidentiality, min: "2"}}\n    effect: approval_required',
        'axis: confidentiality, min: "3"}}\n    effect: approval_required',
    )
    text = text.replace(
        'axis: confidentiality, min: "2"}}\n    effect: forbid',
        'axis: confidentialty, min: "2"}}\n    effect: forbid',
    )
    chain = CHAIN.replace("from: members_and_staff", "from: [members_and_staff]")
    text += chain.replace("to: [ciso], clause", "to: [情報セキュリティ管理者], clause", 1)
    errors = _errors(sample_copy, text)
    p = sample_copy
    roles = "ciso, information_security_manager, members_and_staff"
    level_line = _line(text, 'min: "3"')
    assert errors[0].startswith(
        f"{p}:{_line(text, 'asset.transprot')}: unknown action 'asset.transprot' "
        "(did you mean 'asset.transport'? one of: asset.take_out, asset.transport, "
    )
    assert errors[1:] == [
        f"{p}:{level_line}: unknown level '3' of axis 'confidentiality' "
        "(did you mean '3A'? one of: 1, 2, 3A)",
        f"{p}:{_line(text, 'roles: [cisco]')}: undefined role 'cisco' "
        f"(did you mean 'ciso'? one of: {roles})",
        f"{p}:{_line(text, 'confidentialty')}: unknown axis 'confidentialty' "
        "(did you mean 'confidentiality'? one of: confidentiality)",
        f"{p}:{_line(text, 'to: [情報セキュリティ管理者]')}: undefined role or party "
        "'情報セキュリティ管理者' (write the id 'information_security_manager', not the title)",
    ]


def test_a_value_of_a_union_gets_one_message(tmp_path: Path) -> None:
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "pack: sample\ncases:\n  - name: a\n    request: {action: asset.take_out}\n"
        "    expect: {effect: permit, clause: 3}\n",
        encoding="utf-8",
    )
    with pytest.raises(PackError) as info:
        load_cases(cases)
    assert info.value.errors == [
        f'{cases}:5: cases.0.expect.clause: text or a list of clauses: write it in quotes, "3"'
    ]


SHINAGAWA = Path(__file__).parents[2] / "src" / "kitei" / "packs" / "shinagawa-city"


def test_policy_test_takes_a_folder_an_id_or_a_cases_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    for name in ("pack.yaml", "cases.yaml"):
        (folder / name).write_text((SHINAGAWA / name).read_text(encoding="utf-8"), "utf-8")
    elsewhere = tmp_path / "my-cases.yaml"
    elsewhere.write_text((SHINAGAWA / "cases.yaml").read_text(encoding="utf-8"), "utf-8")
    runs = {
        str(folder): folder / "cases.yaml",
        str(folder / "cases.yaml"): folder / "cases.yaml",
        "shinagawa-city": "shinagawa-city/cases.yaml",
        # no pack beside it: the pack its `pack:` key names
        str(elsewhere): elsewhere,
    }
    for ref, cases in runs.items():
        assert main(["policy", "test", ref]) == 0, ref
        out = capsys.readouterr().out
        assert "shinagawa-city: 14 cases (" in out
        assert f"{cases})" in out
        assert ", 0 failed" in out


def test_expectations_name_approvers_by_id_or_title(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text((FIXTURES / "sample" / "pack.yaml").read_text(encoding="utf-8"), "utf-8")
    (tmp_path / "cases.yaml").write_text(
        "pack: sample\ncases:\n  - name: 持ち出し\n    request:\n      action: asset.take_out\n"
        "      actor: {roles: [議員及び職員]}\n    expect:\n      effect: approval_required\n"
        "      approvals: [{mode: all_of, roles: [情報セキュリティ管理者]}]\n"
        "  - name: 持ち出し（誤り）\n    request:\n      action: asset.take_out\n"
        "      actor: {roles: [議員及び職員]}\n    expect:\n      effect: approval_required\n"
        "      approvals: [{mode: all_of, roles: [最高情報セキュリティ責任者]}]\n",
        encoding="utf-8",
    )
    assert main(["policy", "test", str(tmp_path / "cases.yaml")]) == 1
    out = capsys.readouterr().out
    assert "1 passed, 1 failed" in out
    assert "FAIL sample: 持ち出し（誤り）" in out
