"""`kitei policy …` as other tools call it: output, exit codes, one-line errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kitei.cli import main

from .conftest import FIXTURES

SAMPLE = str(FIXTURES / "sample")
REQUEST = {
    "action": "asset.transport",
    "actor": {"roles": ["議員及び職員"]},
    "resource": {"kind": "asset", "classification": {"機密性": "2"}},
    "context": {"emergency": False},
}


def _run(
    capsys: pytest.CaptureFixture[str], *argv: str, stdin: str | None = None
) -> tuple[int, str, str]:
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        code = main(list(argv))
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out, err


def test_decide_reads_stdin_and_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "policy", "decide", SAMPLE, "-", stdin=json.dumps(REQUEST))
    assert code == 0
    data = json.loads(out)
    assert data["effect"] == "approval_required"
    assert data["reasons"][0]["clause"] == "3(2)ク(イ)"


def test_decide_reads_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "req.json"
    path.write_text(json.dumps(REQUEST), encoding="utf-8")
    code, out, _ = _run(capsys, "policy", "decide", SAMPLE, str(path))
    assert code == 0
    assert json.loads(out)["effect"] == "approval_required"


def test_explain_is_japanese(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "policy", "explain", SAMPLE, stdin=json.dumps(REQUEST))
    assert code == 0
    assert "判断: 承認が必要" in out
    assert "情報セキュリティ管理者（全員の承認）" in out
    assert "3(2)ク(イ)" in out
    assert "鍵付きのケース等に格納すること" in out


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (("policy", "decide", SAMPLE, "-"), "{not json", "malformed JSON"),
        (("policy", "decide", SAMPLE, "-"), '{"action": "asset.fly"}', "unknown action"),
        (
            ("policy", "decide", SAMPLE, "-"),
            '{"action": "asset.take_out", "actor": {"roles": ["市長"]}}',
            "unknown role '市長'",
        ),
        (("policy", "decide", "no-such-pack", "-"), "{}", "no-such-pack: no such pack"),
        (("policy", "decide", SAMPLE, "/nonexistent/request.json"), None, "cannot read request"),
        (("policy", "show", "no-such-pack", "--json"), None, "no such pack"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], stdin: str | None, message: str
) -> None:
    code, out, err = _run(capsys, *argv, stdin=stdin)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert message in err
    assert err.startswith("kitei: ")


def test_no_traceback_from_the_real_command() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "kitei", "policy", "decide", SAMPLE, "-"],
        input="[1, 2",
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_validate_ok_and_broken(capsys: pytest.CaptureFixture[str], sample_copy: Path) -> None:
    code, out, _ = _run(capsys, "policy", "validate", str(sample_copy))
    assert code == 0
    assert "ok" in out
    text = sample_copy.read_text(encoding="utf-8")
    sample_copy.write_text(
        text.replace("roles: [ciso]}]", "roles: [mayor]}]").replace(
            "    holder: 議長\n", "    holder: 議長\n    colour: red\n"
        )
    )
    code, out, _ = _run(capsys, "policy", "validate", str(sample_copy))
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"{sample_copy}:") for line in lines)
    assert any("unknown key 'colour'" in line for line in lines)
    assert sum("undefined role 'mayor'" in line for line in lines) == 2


def test_validate_checks_quotes_against_seeds(
    capsys: pytest.CaptureFixture[str], sample_copy: Path, tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "002_ecf5b63335077659.txt").write_text("なにもない", encoding="utf-8")
    code, out, _ = _run(capsys, "policy", "validate", str(sample_copy), "--seeds", str(seeds))
    assert code == 1
    assert "quote not found in 002_ecf5b63335077659.txt" in out


def test_show_json_is_the_normalised_pack(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "policy", "show", SAMPLE, "--json")
    data = json.loads(out)
    assert code == 0
    assert data["id"] == "sample"
    assert data["digest"].startswith("sha256:")
    assert data["roles"][0]["scope"] == "organization"  # defaults are filled in
    assert data["rules"][4]["when"] == {"context": {"emergency": True}}


def test_gaps_lists_silent_actions(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "policy", "gaps", SAMPLE, "--json")
    data = json.loads(out)
    assert code == 0
    assert "device.install_software" in data["actions"]
    assert "asset.take_out" not in data["actions"]
    assert {
        "kind": "record_book.retention",
        "id": "disposal",
        "title": "廃棄記録",
        "clause": "3(2)コ(イ)",
    } in data["unspecified"]


def test_diff_reports_rule_changes(capsys: pytest.CaptureFixture[str], sample_copy: Path) -> None:
    text = sample_copy.read_text(encoding="utf-8")
    text = text.replace("    effect: forbid\n", "    effect: permit\n")
    text = text.replace("  - id: offsite\n", "  - id: offsite-v2\n")
    sample_copy.write_text(text)
    code, out, _ = _run(capsys, "policy", "diff", SAMPLE, str(sample_copy))
    assert code == 0
    lines = out.splitlines()
    assert "- rules offsite" in lines
    assert "+ rules offsite-v2" in lines
    assert "~ rules sns-forbid: effect forbid → permit" in lines
    code, out, _ = _run(capsys, "policy", "diff", SAMPLE, SAMPLE)
    assert out.strip() == "no rule-level differences"


def test_test_command_reports_failures(
    capsys: pytest.CaptureFixture[str], sample_copy: Path
) -> None:
    (sample_copy.parent / "cases.yaml").write_text(
        "pack: sample\ncases:\n"
        "  - name: right\n    request: {action: asset.take_out}\n"
        '    expect: {effect: approval_required, clause: "6-1(1)ウ(イ)"}\n'
        "  - name: wrong\n    request: {action: asset.take_out}\n"
        "    expect: {effect: permit}\n",
        encoding="utf-8",
    )
    code, out, _ = _run(capsys, "policy", "test", str(sample_copy))
    assert code == 1
    assert "FAIL sample: wrong: effect approval_required, expected permit" in out
    assert out.splitlines()[-1] == "1 passed, 1 failed"


def test_closed_pipe_is_not_a_traceback() -> None:
    proc = subprocess.run(
        f"{sys.executable} -m kitei policy show mito-city-council --json | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stdout == '{\n  "id": '
    assert "Traceback" not in proc.stderr
