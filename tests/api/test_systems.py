"""`/api/systems`: systems with their software and its end of support, over the API."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kitei.core.models import ChangeRecord
from kitei.people.services import assign_role
from kitei.systems.models import Software, System
from kitei.systems.services import add_software, register_system
from tests.conftest import SETUP

from ..conftest import make_person
from .conftest import api_client, token_for

pytestmark = pytest.mark.django_db

# Token lookup, its user's membership in the token's organisation, the user's role assignments
# (must they have TOTP?), its last-use stamp, the
# count, the page and the page's software.
LIST_QUERIES = 7


def _post(client: Client, body: Any) -> Any:
    return client.post("/api/systems", json.dumps(body), content_type="application/json")


def _patch(client: Client, pk: int, body: Any) -> Any:
    return client.patch(f"/api/systems/{pk}", json.dumps(body), content_type="application/json")


def test_list_shows_software_and_flags_support(
    staff_api: Client, mito: Any, council_system: Any
) -> None:
    today = timezone.localdate()
    add_software(council_system, actor=SETUP, name="OS", end_of_support=today - timedelta(days=1))
    add_software(council_system, actor=SETUP, name="DB", end_of_support=today + timedelta(days=900))
    body = staff_api.get("/api/systems").json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["zone"] == "lgwan"
    assert item["zone_title"] == "LGWAN接続系"
    assert [(s["name"], s["support_status"]) for s in item["software"]] == [
        ("DB", "ok"),
        ("OS", "ended"),
    ]
    assert item["support_warning"] is True
    detail = staff_api.get(f"/api/systems/{council_system.pk}").json()
    assert detail["software"] == item["software"]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"zone": "internet"}, ["ホームページ"]),
        ({"zone": "インターネット接続系"}, ["ホームページ"]),
        ({"external": "true"}, ["ホームページ"]),
        ({"external": "false"}, ["議会情報システム"]),
        ({"可用性": "2"}, ["議会情報システム"]),
        ({"q": "ホーム"}, ["ホームページ"]),
    ],
)
def test_filters(
    staff_api: Client, somu: Any, council_system: Any, query: Any, names: list[str]
) -> None:
    council_system.availability = "2"
    council_system.save()
    register_system(
        somu.organization,
        actor=SETUP,
        name="ホームページ",
        department=somu,
        zone="internet",
        is_external_service=True,
        availability="1",
    )
    body = staff_api.get("/api/systems", query).json()
    assert [i["name"] for i in body["items"]] == names
    assert body["count"] == len(names)


def test_bad_filters(staff_api: Client, council_system: Any) -> None:
    response = staff_api.get("/api/systems", {"機密性": "3B"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["機密性"], "msg": "情報システムは可用性の分類でだけ絞り込めます。"}
    ]
    response = staff_api.get("/api/systems", {"external": "perhaps"})
    assert response.status_code == 422
    assert "external: true か false で指定してください" in response.json()["detail"]


def test_list_query_count_does_not_grow_with_rows(
    staff_api: Client, mito: Any, somu: Any, sato: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(20):
        system = register_system(
            mito, actor=SETUP, name=f"システム{n}", department=somu, manager=sato, zone="lgwan"
        )
        add_software(system, actor=SETUP, name="OS", end_of_support=date(2030, 1, 1))
    with django_assert_max_num_queries(LIST_QUERIES):
        body = staff_api.get("/api/systems", {"zone": "lgwan"}).json()
    assert body["count"] == 20
    assert body["items"][0]["manager"]["name"] == "佐藤 一郎"


def test_post_registers_system_and_software(admin_api: Client, mito: Any, somu: Any) -> None:
    response = _post(
        admin_api,
        {
            "name": "財務会計システム",
            "department_id": somu.pk,
            "zone": "LGWAN接続系",
            "availability": "可用性2",
            "planned_until": "2030-03-31",
            "software": [
                {"name": "OS", "version": "2019", "end_of_support": "2029-01-09"},
                {"name": "DB"},
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["zone"], body["availability"]) == ("lgwan", "2")
    statuses = {s["name"]: s["support_status"] for s in body["software"]}
    assert statuses == {"OS": "ends_during_use", "DB": "unknown"}
    actions = ChangeRecord.objects.filter(organization=mito, actor_name="ito")
    assert sorted(actions.values_list("action", flat=True)) == [
        "add_software",
        "add_software",
        "register_system",
    ]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"name": "議会情報システム"}, "システム「議会情報システム」は既に登録されています"),
        ({"zone": "moon"}, "ネットワーク「moon」はこの組織のポリシーにありません"),
        ({"availability": "9"}, "可用性の区分「9」はありません"),
        ({"planned_until": "2030-02-30"}, "planned_until: 日付（YYYY-MM-DD）で指定してください"),
        ({"manager_id": 999999}, "情報システム管理者（id=999999）はこの組織にありません"),
        ({"software": [{"name": ""}]}, "software.0.name: 空にはできません"),
    ],
)
def test_bad_input_writes_nothing(
    admin_api: Client, somu: Any, council_system: Any, body: Any, reason: str
) -> None:
    before = ChangeRecord.objects.count()
    response = _post(admin_api, {"name": "新システム", "department_id": somu.pk, **body})
    assert response.status_code == 422
    assert reason in response.json()["detail"]
    assert System.objects.count() == 1
    assert Software.objects.count() == 0
    assert ChangeRecord.objects.count() == before


def test_patch_through_the_service(admin_api: Client, mito: Any, council_system: Any) -> None:
    response = _patch(
        admin_api, council_system.pk, {"zone": "internet", "is_external_service": True}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["zone"], response.json()["is_external_service"]) == ("internet", True)
    record = ChangeRecord.objects.get(organization=mito, action="update_system")
    assert record.actor_name == "ito"
    assert '"zone":"lgwan"' in record.before
    assert '"zone":"internet"' in record.after


def test_permissions_and_isolation(
    staff_api: Client, admin_api: Client, council_system: Any, toyama_admin: Any, toyama: Any
) -> None:
    assert _patch(staff_api, council_system.pk, {"zone": "internet"}).status_code == 403
    toyama_client = api_client(token_for(toyama_admin))
    assert toyama_client.get(f"/api/systems/{council_system.pk}").status_code == 404
    assert _patch(toyama_client, council_system.pk, {"zone": "internet"}).status_code == 404
    assert toyama_client.get("/api/systems").json()["count"] == 0
    council_system.refresh_from_db()
    assert council_system.zone == "lgwan"


def test_a_system_manager_keeps_the_systems_they_manage(
    mito: Any, somu: Any, council_system: Any
) -> None:
    """情報システム管理者 of one system: changes it, registers only systems they manage."""
    keeper = make_person(mito, "kato", "加藤 六郎", department=somu)
    assign_role(
        mito,
        actor=SETUP,
        person=keeper,
        role_id="information_system_manager",
        system=council_system,
    )
    client = api_client(token_for(keeper))
    assert _patch(client, council_system.pk, {"zone": "internet"}).status_code == 200
    other = register_system(mito, actor=SETUP, name="人事給与システム", department=somu)
    refused = _patch(client, other.pk, {"zone": "internet"})
    assert refused.status_code == 403
    assert "管理する情報システムだけを変更できます" in refused.json()["detail"]
    new = {"name": "新システム", "department_id": somu.pk}
    assert _post(client, new).status_code == 403
    assert _post(client, {**new, "manager_id": keeper.pk}).status_code == 201
