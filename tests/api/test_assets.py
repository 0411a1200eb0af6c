"""`/api/assets`: list, filters, pages, detail, registration and changes through the services."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kitei.assets.models import Asset
from kitei.assets.services import register_asset
from kitei.core.models import ChangeRecord
from tests.conftest import SETUP

from .conftest import C3B, api_client, token_for

pytestmark = pytest.mark.django_db

# Token lookup, its user's membership in the token's organisation, the user's role assignments
# (must they have TOTP?), its last-use stamp, the
# count and the page: the bound does not grow with rows.
LIST_QUERIES = 6


def _post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def _patch(client: Client, path: str, body: Any) -> Any:
    return client.patch(path, json.dumps(body), content_type="application/json")


def _records(org: Any, action: str) -> list[ChangeRecord]:
    return list(ChangeRecord.objects.filter(organization=org, action=action).order_by("seq"))


def test_list_shows_the_class_label_and_count(staff_api: Client, roster: Any) -> None:
    response = staff_api.get("/api/assets")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert (body["limit"], body["offset"]) == (50, 0)
    [item] = body["items"]
    assert item["name"] == "議員名簿"
    assert item["classification"] == {
        "confidentiality": "3B",
        "integrity": "2",
        "availability": "1",
    }
    assert item["label"] == "機密性3B・完全性2・可用性1"
    assert item["department"]["name"] == "総務課"
    assert item["system"]["name"] == "議会情報システム"


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"機密性": "3B"}, ["議員名簿"]),
        ({"confidentiality": "3B"}, ["議員名簿"]),
        ({"機密性": "機密性2"}, ["会議録"]),
        ({"confidentiality": ["2", "3B"]}, ["会議録", "議員名簿"]),
        ({"zone": "lgwan"}, ["議員名簿"]),
        ({"zone": "LGWAN接続系"}, ["議員名簿"]),
        ({"q": "名簿"}, ["議員名簿"]),
        ({"form": "paper"}, ["会議録"]),
        ({"status": "unclear"}, ["メモ"]),
        ({"q": "録", "機密性": "2"}, ["会議録"]),
    ],
)
@pytest.mark.usefixtures("roster")
def test_filters(staff_api: Client, mito: Any, jinji: Any, query: Any, names: list[str]) -> None:
    register_asset(
        mito,
        actor=SETUP,
        name="会議録",
        department=jinji,
        form="paper",
        classification={"機密性": "2", "完全性": "1", "可用性": "1"},
    )
    register_asset(
        mito, actor=SETUP, name="メモ", department=jinji, form="electronic", unclear=True
    )
    body = staff_api.get("/api/assets", query).json()
    assert sorted(i["name"] for i in body["items"]) == names
    assert body["count"] == len(names)


def test_department_filter(staff_api: Client, mito: Any, jinji: Any, roster: Any) -> None:
    register_asset(mito, actor=SETUP, name="人事記録", department=jinji, form="paper", unclear=True)
    body = staff_api.get("/api/assets", {"department": jinji.pk}).json()
    assert [i["name"] for i in body["items"]] == ["人事記録"]


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ({"機密性": "4"}, "機密性の区分「4」はありません"),
        ({"重要性分類": "I"}, "検索条件「重要性分類」は使えません"),
        ({"colour": "red"}, "検索条件「colour」は使えません"),
        ({"zone": "moon"}, "ネットワーク「moon」はこの組織のポリシーにありません"),
        ({"department": "999999"}, "部署（id=999999）はこの組織にありません"),
        ({"department": "abc"}, "department: 整数で指定してください"),
        ({"limit": "1000"}, "limit: 200以下で指定してください"),
        ({"form": "stone"}, "form: 次のいずれかを指定してください"),
    ],
)
def test_bad_filters_are_refused_in_japanese(
    staff_api: Client, roster: Any, query: Any, reason: str
) -> None:
    response = staff_api.get("/api/assets", query)
    assert response.status_code == 422
    assert reason in response.json()["detail"]
    assert response.json()["code"] == "invalid"


def test_pages_are_cut_by_the_database(staff_api: Client, mito: Any, somu: Any) -> None:
    for n in range(5):
        register_asset(
            mito, actor=SETUP, name=f"文書{n}", department=somu, form="paper", unclear=True
        )
    body = staff_api.get("/api/assets", {"limit": 2, "offset": 2}).json()
    assert body["count"] == 5
    assert [i["name"] for i in body["items"]] == ["文書2", "文書1"]  # newest first
    assert staff_api.get("/api/assets", {"offset": 4}).json()["items"][0]["name"] == "文書0"
    past = staff_api.get("/api/assets", {"offset": 5}).json()
    assert (past["count"], past["items"]) == (5, [])


def test_list_query_count_does_not_grow_with_rows(
    staff_api: Client,
    somu: Any,
    council_system: Any,
    sato: Any,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(30):
        register_asset(
            somu.organization,
            actor=sato.user,
            name=f"資産{n}",
            department=somu,
            form="electronic",
            classification=C3B,
            owner=sato,
            system=council_system,
        )
    with django_assert_max_num_queries(LIST_QUERIES):
        body = staff_api.get("/api/assets", {"機密性": "3B", "q": "資産"}).json()
    assert body["count"] == 30
    assert body["items"][0]["owner"]["name"] == "佐藤 一郎"
    assert body["items"][0]["created_by"] == "sato"


def test_detail_shows_restrictions_with_clauses(staff_api: Client, roster: Any) -> None:
    body = staff_api.get(f"/api/assets/{roster.pk}").json()
    assert body["label"] == "機密性3B・完全性2・可用性1"
    restrictions = body["restrictions"]
    assert restrictions
    assert {r["axis"] for r in restrictions} >= {"confidentiality", "integrity"}
    assert all(r["clause"] and r["text"] for r in restrictions)
    assert body["contents"] == []


def test_post_registers_through_the_service_with_the_token_user(
    admin_api: Client, mito: Any, somu: Any, council_system: Any, sato: Any
) -> None:
    response = _post(
        admin_api,
        "/api/assets",
        {
            "name": "  住民相談記録  ",
            "department_id": somu.pk,
            "owner_id": sato.pk,
            "system_id": council_system.pk,
            "form": "electronic",
            "classification": {"機密性": "機密性3A", "完全性": 2, "可用性": "1"},
            "disclosure": "not_public",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "住民相談記録"
    assert body["classification"]["confidentiality"] == "3A"
    assert body["owner"]["name"] == "佐藤 一郎"
    assert body["created_by"] == "ito"
    [record] = _records(mito, "register_asset")
    assert record.actor_name == "ito"
    assert record.object_id == str(body["id"])
    assert '"name":"住民相談記録"' in record.after


def test_post_unclear_and_copy(admin_api: Client, mito: Any, somu: Any, roster: Any) -> None:
    unclear = _post(
        admin_api,
        "/api/assets",
        {"name": "未分類", "department_id": somu.pk, "form": "paper", "unclear": True},
    ).json()
    assert unclear["classification_status"] == "unclear"
    assert unclear["label"] is None
    copy = _post(
        admin_api,
        "/api/assets",
        {"name": "写し", "department_id": somu.pk, "form": "paper", "copy_of_id": roster.pk},
    ).json()
    assert copy["classification"] == roster.classification  # 002 3(2)ア(ウ)
    assert copy["copy_of"] == roster.pk


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"classification": {**C3B, "機密性": "4"}}, 422, "機密性の区分「4」はありません"),
        ({"classification": {"機密性": "2"}}, 422, "完全性・可用性の分類がありません"),
        ({"classification": None}, 422, "分類を指定するか"),
        ({"department_id": 999999}, 422, "部署（id=999999）はこの組織にありません"),
        ({"department_id": "総務課"}, 422, "department_id: 整数で指定してください"),
        ({"name": ""}, 422, "name: 空にはできません"),
        ({"name": None}, 422, "name: 文字列で指定してください"),
        ({"form": "stone"}, 422, "form: 次のいずれかを指定してください"),
        ({"colour": "red"}, 422, "colour: この項目は指定できません"),
        ({"owner_id": 999999}, 422, "管理責任者（id=999999）はこの組織にありません"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(
    admin_api: Client, somu: Any, body: Any, status: int, reason: str
) -> None:
    base = {"name": "名簿", "department_id": somu.pk, "form": "paper", "classification": C3B}
    before = ChangeRecord.objects.count()
    response = _post(admin_api, "/api/assets", {**base, **body})
    assert response.status_code == status
    assert reason in response.json()["detail"]
    assert Asset.objects.count() == 0
    assert ChangeRecord.objects.count() == before


def test_missing_fields_and_unreadable_json(admin_api: Client) -> None:
    response = _post(admin_api, "/api/assets", {})
    assert response.status_code == 422
    errors = {tuple(e["loc"]): e["msg"] for e in response.json()["errors"]}
    assert errors[("name",)] == "必須の項目です。"
    assert errors[("department_id",)] == "必須の項目です。"
    broken = admin_api.post("/api/assets", "{name:", content_type="application/json")
    assert broken.status_code == 400
    assert broken.json()["detail"] == "リクエストの本文をJSONとして読めません。"


def test_patch_changes_fields_and_class_through_the_services(
    admin_api: Client, mito: Any, jinji: Any, roster: Any
) -> None:
    response = _patch(
        admin_api,
        f"/api/assets/{roster.pk}",
        {
            "name": "議員名簿（令和8年度）",
            "department_id": jinji.pk,
            "system_id": None,
            "classification": {**C3B, "機密性": "3A"},
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "議員名簿（令和8年度）"
    assert body["department"]["name"] == "人事課"
    assert body["system"] is None
    assert body["classification"]["confidentiality"] == "3A"
    [update] = _records(mito, "update_asset")
    [classify] = _records(mito, "classify_asset")
    assert update.actor_name == classify.actor_name == "ito"
    assert '"department":"総務課"' in update.before
    assert '"department":"人事課"' in update.after
    assert '"confidentiality":"3A"' in classify.after


def test_patch_is_all_or_nothing(admin_api: Client, mito: Any, somu: Any, roster: Any) -> None:
    copy = register_asset(
        mito, actor=SETUP, name="写し", department=somu, form="paper", copy_of=roster
    )
    before = ChangeRecord.objects.count()
    change = {"name": "改名", "classification": {**C3B, "機密性": "3A"}}
    response = _patch(admin_api, f"/api/assets/{copy.pk}", change)
    assert response.status_code == 422
    assert "複製の分類は複製元に従います" in response.json()["detail"]
    copy.refresh_from_db()
    assert copy.name == "写し"  # the rename was rolled back with the refused class
    assert ChangeRecord.objects.count() == before


def test_patch_refuses_null_for_required_fields(admin_api: Client, roster: Any) -> None:
    response = _patch(admin_api, f"/api/assets/{roster.pk}", {"department_id": None})
    assert response.status_code == 422
    assert "department_id: null にはできません" in response.json()["detail"]


def test_empty_patch_changes_nothing(admin_api: Client, roster: Any) -> None:
    before = ChangeRecord.objects.count()
    response = _patch(admin_api, f"/api/assets/{roster.pk}", {})
    assert response.status_code == 200
    assert response.json()["name"] == "議員名簿"
    assert ChangeRecord.objects.count() == before


def test_a_department_keeper_changes_only_their_departments_assets(
    sato: Any, somu: Any, jinji: Any, roster: Any
) -> None:
    """佐藤, 情報セキュリティ管理者 of 総務課, keeps 総務課's assets and no others."""
    client = api_client(token_for(sato))
    body = {"name": "庶務文書", "form": "paper", "classification": C3B}
    mine = _post(client, "/api/assets", {**body, "department_id": somu.pk})
    assert mine.status_code == 201
    theirs = _post(client, "/api/assets", {**body, "department_id": jinji.pk})
    assert theirs.status_code == 403
    detail = theirs.json()["detail"]
    assert detail.startswith("「情報資産台帳の管理」の権限がありません。")
    assert "情報セキュリティ管理者（割り当てられた課について）" in detail
    assert "3(2)ア(ア)" in detail
    moved = _patch(client, f"/api/assets/{roster.pk}", {"department_id": jinji.pk})
    assert moved.status_code == 403
    assert _patch(client, f"/api/assets/{roster.pk}", {"retention": "5年"}).status_code == 200


def test_an_unclear_class_is_decided_by_the_role_the_pack_names(
    admin_api: Client, sato: Any, mito: Any, somu: Any
) -> None:
    """002 3(2)エ: 情報セキュリティ管理者 decides; an administrator without the role may not."""
    memo = register_asset(
        mito, actor=SETUP, name="メモ", department=somu, form="paper", unclear=True
    )
    refused = _patch(admin_api, f"/api/assets/{memo.pk}", {"classification": C3B})
    assert refused.status_code == 403
    assert "情報セキュリティ管理者が判断します" in refused.json()["detail"]
    decided = _patch(api_client(token_for(sato)), f"/api/assets/{memo.pk}", {"classification": C3B})
    assert decided.status_code == 200
    assert decided.json()["classification_status"] == "decided"
    assert _records(mito, "classify_asset")[0].actor_name == "sato"


def test_a_patch_that_changes_nothing_records_nothing(admin_api: Client, roster: Any) -> None:
    before = ChangeRecord.objects.count()
    same = {"name": "議員名簿", "classification": C3B, "department_id": roster.department_id}
    response = _patch(admin_api, f"/api/assets/{roster.pk}", same)
    assert response.status_code == 200
    assert ChangeRecord.objects.count() == before


def test_q_searches_name_and_description_as_the_page_does(
    staff_api: Client, mito: Any, jinji: Any, roster: Any
) -> None:
    register_asset(
        mito,
        actor=SETUP,
        name="人事記録",
        department=jinji,
        form="paper",
        unclear=True,
        description="議員名簿の写しを含む",
    )
    body = staff_api.get("/api/assets", {"q": "議員名簿"}).json()
    assert sorted(i["name"] for i in body["items"]) == ["人事記録", "議員名簿"]


def test_the_filters_are_documented_in_openapi(suzuki: Any) -> None:
    client = Client()
    client.force_login(suzuki.user)  # production: the schema needs a login
    schema = client.get("/api/openapi.json").json()
    listed = schema["paths"]["/api/assets"]["get"]["parameters"]
    names = [p["name"] for p in listed]
    for name in ("limit", "offset", "q", "department", "owner", "system", "zone", "form"):
        assert name in names
    status = next(p for p in listed if p["name"] == "status")
    assert status["schema"]["enum"] == ["decided", "unclear"]
