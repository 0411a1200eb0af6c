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
