"""`kitei incidents kinds|chain`: the CLI contract scripts call."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kitei.cli import main
from tests.conftest import make_org, make_person


def run(capsys: Any, *argv: str) -> tuple[int, Any]:
    code = main(["incidents", *argv])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 and "--json" in argv else out)


def test_kinds_lists_the_pack_words(mito: Any, capsys: Any) -> None:
    code, kinds = run(capsys, "kinds", "mito", "--json")
    assert code == 0
    assert kinds[0] == {"id": "incident", "title": "情報セキュリティインシデント"}
    assert {"id": "misdelivery", "title": "重要な電子メールの誤送信"} in kinds


def test_mito_chain_resolves_roles_to_people_and_names_parties(
    mito: Any, sato: Any, suzuki: Any, capsys: Any
) -> None:
    code, result = run(capsys, "chain", "mito", "--kind", "情報セキュリティインシデント", "--json")
    assert code == 0
    assert result["manual"] is False
    assert result["pack"] == {
        "id": "mito-city-council",
        "version": mito.pack_version,
        "digest": mito.pack_digest,
    }
    first = result["steps"][0]
    assert first["order"] == 1
    assert first["clause"] == "6-3(1)ア"
    assert first["timing"] == "速やかに"
    assert first["from"] == [{"id": "members_and_staff", "title": "議員及び職員"}]
    assert first["to"] == [
        {
            "role": {"id": "information_security_manager", "title": "情報セキュリティ管理者"},
            "people": ["sato"],
        },
        {"party": "市長公室デジタルイノベーション課"},
    ]
    assert first["decision_required"] is False
    assert [s["clause"] for s in result["steps"]] == ["6-3(1)ア", "6-3(1)イ"]


def test_personal_data_flag_adds_the_committee_step_as_a_decision(mito: Any, capsys: Any) -> None:
    code, result = run(
        capsys, "chain", "mito", "--kind", "incident", "--flag", "personal_data", "--json"
    )
    assert code == 0
    committee = result["steps"][-1]
    assert committee["clause"] == "6-3(1)ウ"
    assert committee["decision_required"] is True
    assert committee["to"] == [{"party": "水戸市議会個人情報保護推進委員会"}]


def test_toyama_member_firm_route_and_serious_cio_step(toyama: Any, capsys: Any) -> None:
    make_person(toyama, "tokatsu", "統括 管理者", roles=("chief_information_manager",))
    code, result = run(
        capsys, "chain", "toyama", "--kind", "accident", "--flag", "member_firm", "--json"
    )
    assert code == 0
    route = [(s["clause"], s["to"][0]["role"]["id"]) for s in result["steps"]][:4]
    assert route == [
        ("6(4)イ(イ)", "member_firm"),
        ("6(4)ア", "information_manager"),
        ("6(4)イ(イ)", "assistant_chief_information_manager"),
        ("6(4)イ(イ)", "chief_information_manager"),
    ]
    assert result["steps"][3]["to"][0]["people"] == ["tokatsu"]
    assert all(s["to"][0]["role"]["id"] != "cio" for s in result["steps"])
    code, serious = run(
        capsys,
        "chain",
        "toyama",
        "--kind",
        "accident",
        "--flag",
        "member_firm",
        "--flag",
        "serious",
        "--json",
    )
    cio = [s for s in serious["steps"] if s["to"][0].get("role", {}).get("id") == "cio"]
    assert [s["clause"] for s in cio] == ["6(4)イ"]
    secretariat = run(capsys, "chain", "toyama", "--kind", "accident", "--json")[1]
    assert secretariat["steps"][0]["from"][0]["id"] == "staff"


@pytest.mark.parametrize("slug", ["gamagori", "miyagi", "shinagawa"])
def test_basic_policy_packs_are_manual(db: None, slug: str, capsys: Any) -> None:
    packs = {
        "gamagori": "gamagori-city",
        "miyagi": "miyagi-jichi-center",
        "shinagawa": "shinagawa-city",
    }
    make_org(slug, packs[slug], slug)
    code, result = run(capsys, "chain", slug, "--kind", "anything", "--json")
    assert code == 0
    assert result["manual"] is True
    assert result["steps"] == []
    assert run(capsys, "kinds", slug, "--json")[1] == []


@pytest.mark.parametrize(
    "argv",
    [
        ("chain", "nowhere", "--kind", "incident", "--json"),
        ("chain", "mito", "--kind", "fire", "--json"),
        ("chain", "mito", "--kind", "incident", "--flag", "urgent", "--json"),
        ("kinds", "nowhere", "--json"),
    ],
)
def test_unknown_org_kind_or_flag_is_one_line_exit_2(mito: Any, capsys: Any, argv: Any) -> None:
    code, out = run(capsys, *argv)
    assert code == 2
    assert out.out == ""
    assert len(out.err.strip().splitlines()) == 1


def test_verify_names_a_timeline_entry_edited_by_sql(
    mito: Any, suzuki: Any, sato: Any, capsys: Any
) -> None:
    from django.db import connection  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from kitei.incidents.timeline import add_timeline_entry  # noqa: PLC0415
    from tests.incidents.conftest import file_as  # noqa: PLC0415

    incident = file_as(suzuki)
    entry = add_timeline_entry(
        incident, actor=suzuki.user, kind="detection", text="検知", event_at=timezone.now()
    )
    assert run(capsys, "verify", "mito")[0] == 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # as a database administrator would: triggers off
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE incidents_timelineentry SET text = %s WHERE id = %s", ["改ざん", entry.pk]
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    code, out = run(capsys, "verify", "mito")
    assert code == 1
    assert f"timeline entry {entry.pk}: text differ" in out.err
