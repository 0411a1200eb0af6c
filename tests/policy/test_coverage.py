"""`kitei policy coverage`: every clause of a pack's seed, and what encodes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kitei.cli import main
from kitei.policy import load_pack
from kitei.policy.clauses import load_index
from kitei.policy.coverage import coverage, elements

from .test_clauses import _citing, _seeds

PACK = """\
id: covering
name: 網羅の検査
organization: 検査
version: "1"
source: seed.txt
undetermined: {clause: "1", quote: "この対策基準は、目的を定める"}
undetermined_message: 定めがありません。
notes:
  - id: storage
    clause: "7-6a(1)"
    quote: "攻撃の記録を保存する"
    decision: 記録の保存。
roles:
  - id: manager
    title: 情報セキュリティ管理者
    clause: "3(2)ア(ア)"
    quote: "情報セキュリティ管理者は、情報資産について管理責任を有する"
"""


def test_every_clause_is_listed_with_what_encodes_it(tmp_path: Path) -> None:
    pack, seeds = _citing(tmp_path, PACK.replace("{", "{{").replace("}", "}}"))
    rows, unknown = coverage(load_pack(pack), load_index(seeds / "seed.txt"))
    status = {r.clause.id: (r.status, [e.path for e in r.elements]) for r in rows}
    assert status["1"] == ("encoded", ["undetermined"])
    assert status["3(2)ア(ア)"] == ("encoded", ["roles/manager"])
    assert status["3(2)ア"] == ("sub-clauses", [])
    assert status["3"] == ("sub-clauses", [])
    assert status["3(2)ア(イ)"] == ("nothing", [])
    assert status["7-6a(1)"] == ("encoded", ["notes/storage"])
    assert status["7-6b(1)"] == ("nothing", [])
    assert unknown == []


def test_fields_added_later_are_read_generically() -> None:
    data = {"controls": [{"id": "c1", "clause": "10-2(1)ア", "question": "…"}]}
    found = list(elements(data))
    assert [(e.kind, e.path, e.clause) for e in found] == [("controls", "controls/c1", "10-2(1)ア")]


def test_coverage_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pack, seeds = _citing(tmp_path, PACK.replace("{", "{{").replace("}", "}}"))
    assert main(["policy", "coverage", str(pack), "--seeds", str(seeds)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "3(2)ア(ア)\t15\troles/manager (line 16)" in out
    assert "3(2)ア(イ)\t16\t—" in out
    assert out[-1].endswith("with nothing")
    assert main(["policy", "coverage", str(pack), "--seeds", str(seeds), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["clauses"] == len(data["clauses"])
    assert main(["policy", "coverage", str(pack), "--seeds", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "the pack's seed file does not exist" in err


def test_mito_coverage_lists_every_clause_of_002(capsys: pytest.CaptureFixture[str]) -> None:
    seeds = _seeds()
    assert main(["policy", "coverage", "mito-city-council", "--seeds", str(seeds), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    index = load_index(seeds / "002_ecf5b63335077659.txt")
    assert [c["id"] for c in data["clauses"]] == [c.id for c in index.clauses]
    assert data["not_in_seed"] == []
    by_id = {c["id"]: c for c in data["clauses"]}
    assert by_id["6-1(1)ウ(イ)"]["status"] == "encoded"
