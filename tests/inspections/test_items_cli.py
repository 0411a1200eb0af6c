"""`kitei inspection items ORG [--scope …] --json`: the contract scripts rely on."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kitei.cli import main
from kitei.policy import load_pack

KEYS = ["id", "clause", "quote", "source", "scope", "kind", "actors", "question"]


def _items(capsys: Any, *args: str) -> list[dict[str, Any]]:
    assert main(["inspection", "items", *args, "--json"]) == 0
    result: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return result


def test_items_of_the_bound_pack(mito: Any, capsys: Any) -> None:
    items = _items(capsys, "mito")
    pack = load_pack("mito-city-council").pack
    assert [i["id"] for i in items] == [c.id for c in pack.controls]
    assert all(list(i) == KEYS for i in items)
    entry = next(i for i in items if i["id"] == "MITO-5-2.2.ア")
    assert entry == {
        "id": "MITO-5-2.2.ア",
        "clause": "5-2(2)ア",
        "quote": "入退室管理簿により、入退室管理を行うものとする",
        "source": "002_ecf5b63335077659.txt",
        "scope": "system",
        "kind": "record",
        "actors": [{"id": "information_system_manager", "title": "情報システム管理者"}],
        "question": "「入退室管理簿により、入退室管理を行うものとする」のとおり実施していますか。",
    }


@pytest.mark.parametrize("scope", ["organization", "department", "system", "person"])
def test_scope_filter(mito: Any, capsys: Any, scope: str) -> None:
    items = _items(capsys, "mito", "--scope", scope)
    expected = [c.id for c in load_pack("mito-city-council").pack.controls if c.scope == scope]
    assert items
    assert [i["id"] for i in items] == expected


def test_toyama_person_items_go_to_union_members(toyama: Any, capsys: Any) -> None:
    items = _items(capsys, "toyama", "--scope", "person")
    assert items
    assert {"id": "union_members", "title": "組合員等"} in [a for i in items for a in i["actors"]]
    assert {i["source"] for i in items} == {"003_2f6cd8582acab7de.txt"}


def test_unspecified_actor_is_an_empty_list(mito: Any, capsys: Any) -> None:
    items = _items(capsys, "mito")
    assert any(i["actors"] == [] for i in items)


def test_unknown_organisation_is_one_line_exit_2(db: None, capsys: Any) -> None:
    assert main(["inspection", "items", "nowhere", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "kitei: no organisation 'nowhere'\n"


def test_unknown_scope_is_one_line_exit_2(mito: Any, capsys: Any) -> None:
    assert main(["inspection", "items", "mito", "--scope", "課", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "unknown scope '課'" in captured.err


def test_start_rollup_export_import_from_the_command_line(
    cast: Any, capsys: Any, tmp_path: Any
) -> None:
    from kitei.inspections.models import Campaign  # noqa: PLC0415

    from .test_excel import _edit  # noqa: PLC0415

    args = ["inspection", "start", "mito", "--duty", "self-inspection-systems", "--year", "2026"]
    assert main(args) == 0
    campaign = Campaign.objects.get()
    assert capsys.readouterr().out == (
        f"kitei: campaign {campaign.pk} started (self-inspection-systems 2026, 2 questionnaires)\n"
    )
    assert main(args) == 2
    assert capsys.readouterr().err == "kitei: この年度のこの自己点検は開始済みです。\n"
    bad = ["inspection", "start", "mito", "--duty", "training", "--year", "2026"]
    assert main(bad) == 2
    assert capsys.readouterr().err.count("\n") == 1
    q = campaign.questionnaires.get(system=cast.network)
    path = tmp_path / "q.xlsx"
    assert main(["inspection", "export", "mito", str(q.pk), str(path)]) == 0
    capsys.readouterr()
    path.write_bytes(_edit(path.read_bytes(), {"E2": "実施している", "E3": "たぶん"}))
    load = ["inspection", "import", "mito", str(q.pk), str(path), "--as", "kato"]
    assert main(load) == 2
    assert "3行目 回答: 回答「たぶん」は選べません" in capsys.readouterr().err
    path.write_bytes(_edit(path.read_bytes(), {"E3": "不明"}))
    assert main([*load, "--dry-run"]) == 0
    assert capsys.readouterr().out == "kitei: no errors; 2 answer(s) would change\n"
    assert main(load) == 0
    capsys.readouterr()
    assert main(["inspection", "rollup", "mito", str(campaign.pk), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["done"] == 1
    assert data["totals"]["unknown"] == 1
    row = next(r for r in data["questionnaires"] if r["id"] == q.pk)
    assert row["counts"][""] == q.answers.count() - 2
    assert main(["inspection", "rollup", "mito", "999999", "--json"]) == 2
    assert capsys.readouterr().err == "kitei: no campaign 999999 in 'mito'\n"
