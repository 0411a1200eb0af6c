"""One filter for the 情報資産台帳: the page, `/api/assets` and the export select the same rows.

Every query string here is sent, unchanged, to all three; the names each answers with must
be the same set. A parameter the list cannot take is refused by all three: a Japanese
message above an empty list on the page, 422 naming the parameter from the API, a 400
page from the export. Another organisation's rows and ids never reach the list.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from django.test import Client

from kitei.assets.services import register_asset
from kitei.people.services import create_department
from kitei.systems.services import register_system
from tests.conftest import SETUP

from ..api.conftest import api_client, token_for
from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a href="/assets/\d+/">([^<]+)</a>')
LOW = {"機密性": "1", "完全性": "1", "可用性": "1"}
EVERY = {"議員名簿", "本会議録", "会議録音データ", "受付メモ", "来庁者記録"}


@pytest.fixture
def register(mito: Any, somu: Any, sato: Any, toyama: Any) -> dict[str, Any]:
    """Five mito assets across departments, classes, forms, owners and systems; toyama's one."""
    gijika = create_department(mito, actor=SETUP, name="議事課")
    lgwan = register_system(
        mito, actor=SETUP, name="議会情報システム", department=somu, zone="lgwan"
    )
    web = register_system(mito, actor=SETUP, name="会議録公開", department=gijika, zone="internet")

    def asset(name: str, department: Any, classification: Any, **fields: Any) -> Any:
        fields.setdefault("form", "electronic")
        return register_asset(
            mito,
            actor=SETUP,
            name=name,
            department=department,
            classification=classification,
            unclear=classification is None,
            **fields,
        )

    asset("議員名簿", somu, {**LOW, "機密性": "3B"}, owner=sato, system=lgwan)
    asset("本会議録", gijika, {**LOW, "完全性": "2"}, form="paper", system=web)
    asset("会議録音データ", gijika, {**LOW, "機密性": "2"}, form="medium")
    asset("受付メモ", somu, None, description="来庁者の会議録の閲覧申込み")
    asset("来庁者記録", somu, {**LOW, "機密性": "3A"}, form="paper", owner=sato)
    office = create_department(toyama, actor=SETUP, name="事務局")
    register_asset(
        toyama,
        actor=SETUP,
        name="議員名簿（別組織）",
        department=office,
        form="electronic",
        classification={"重要性分類": "I"},
        description="会議録",
    )
    return {"gijika": gijika, "lgwan": lgwan, "web": web, "office": office}


@pytest.fixture
def page(suzuki: Any) -> Client:
    client = Client()
    assert client.login(username="suzuki", password=PASSWORD)
    return client


@pytest.fixture
def api(suzuki: Any) -> Client:
    return api_client(token_for(suzuki))


def _page_names(page: Client, query: dict[str, Any]) -> set[str]:
    response = page.get("/assets/", query)
    assert response.status_code == 200, response.content.decode()[-2000:]
    return set(LINK.findall(response.content.decode().split("<tbody>")[1]))


def _api_names(api: Client, query: dict[str, Any]) -> set[str]:
    response = api.get("/api/assets", query)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == len(body["items"])
    return {item["name"] for item in body["items"]}


def _export_names(page: Client, query: dict[str, Any]) -> set[str]:
    response = page.get("/assets/export/", {**query, "format": "csv"})
    assert response.status_code == 200, response.content.decode()[-2000:]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["台帳番号", "名称"]
    return {row[1] for row in rows[1:]}


def _everywhere(page: Client, api: Client, query: dict[str, Any]) -> set[str]:
    """The names the page, the API and the export select; asserts they are one set."""
    shown, answered, written = (
        _page_names(page, query),
        _api_names(api, query),
        _export_names(page, query),
    )
    assert shown == answered == written, (query, shown, answered, written)
    return shown


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({}, EVERY),
        (
            {"q": "会議録"},
            {"本会議録", "会議録音データ", "受付メモ"},
        ),  # 受付メモ by its description
        ({"q": "  来庁者  "}, {"受付メモ", "来庁者記録"}),  # trimmed; name or description
        ({"confidentiality": "3B"}, {"議員名簿"}),
        ({"機密性": "機密性3A"}, {"来庁者記録"}),  # axis and level by title
        ({"confidentiality": ["2", "3B"]}, {"議員名簿", "会議録音データ"}),
        ({"integrity": "2"}, {"本会議録"}),
        ({"status": "unclear"}, {"受付メモ"}),
        ({"status": "decided", "form": "paper"}, {"本会議録", "来庁者記録"}),
        ({"form": "medium"}, {"会議録音データ"}),
        ({"zone": "lgwan"}, {"議員名簿"}),
        ({"zone": "インターネット接続系"}, {"本会議録"}),
        ({"q": "録", "form": "paper"}, {"本会議録", "来庁者記録"}),
        ({"department": "", "q": ""}, EVERY),  # an empty select narrows nothing
    ],
)
@pytest.mark.usefixtures("register")
def test_page_api_and_export_select_the_same_rows(
    page: Client, api: Client, query: dict[str, Any], names: set[str]
) -> None:
    assert _everywhere(page, api, query) == names


def test_row_filters_by_id(page: Client, api: Client, register: dict[str, Any], sato: Any) -> None:
    gijika, lgwan = register["gijika"], register["lgwan"]
    assert _everywhere(page, api, {"department": gijika.pk}) == {"本会議録", "会議録音データ"}
    assert _everywhere(page, api, {"owner": sato.pk}) == {"議員名簿", "来庁者記録"}
    assert _everywhere(page, api, {"system": lgwan.pk, "q": "名簿"}) == {"議員名簿"}


@pytest.mark.parametrize(
    ("query", "name", "reason"),
    [
        ({"confidentiality": "4"}, "confidentiality", "機密性の区分「4」はありません"),
        ({"機密性": "9"}, "機密性", "機密性の区分「9」はありません"),
        ({"form": "vinyl"}, "form", "次のいずれかを指定してください: electronic、paper、medium。"),
        ({"status": "maybe"}, "status", "次のいずれかを指定してください: decided、unclear。"),
        ({"zone": "moon"}, "zone", "ネットワーク「moon」はこの組織のポリシーにありません。"),
        ({"department": "abc"}, "department", "整数で指定してください。"),
        ({"owner": "999999"}, "owner", "職員（id=999999）はこの組織にありません。"),
        ({"q": "あ" * 201}, "q", "200文字以内で指定してください。"),
        ({"class": "confidentiality:3B"}, "class", "検索条件「class」は使えません"),
        ({"重要性分類": "I"}, "重要性分類", "検索条件「重要性分類」は使えません"),
    ],
)
@pytest.mark.usefixtures("register")
def test_a_value_the_list_cannot_take_is_refused_everywhere(
    page: Client, api: Client, query: dict[str, Any], name: str, reason: str
) -> None:
    answer = api.get("/api/assets", query)
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "invalid"
    assert body["errors"][0]["loc"] == [name]
    assert reason in body["errors"][0]["msg"]
    assert f"（{name}: " in body["detail"]

    shown = page.get("/assets/", query)
    assert shown.status_code == 400
    html = shown.content.decode()
    assert "検索条件に誤りがあります。" in html
    assert reason in html
    assert not LINK.search(html.split("<tbody>")[1])  # no list, rather than a wider one

    written = page.get("/assets/export/", {**query, "format": "csv"})
    assert written.status_code == 400
    assert reason in written.content.decode()
    assert written["Content-Type"].startswith("text/html")


@pytest.mark.usefixtures("register")
def test_htmx_requests_get_the_message_in_a_successful_answer(page: Client) -> None:
    # htmx swaps only 2xx answers: the message must still replace the list.
    response = page.get("/assets/", {"form": "vinyl"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div id="assets">' in html
    assert "次のいずれかを指定してください" in html.split('<div id="assets">')[1]


@pytest.mark.usefixtures("register")
def test_a_refused_query_stays_in_the_form_to_be_corrected(page: Client) -> None:
    html = page.get("/assets/", {"q": "会議録", "form": "vinyl"}).content.decode()
    assert 'name="q" value="会議録"' in html
    assert "検索条件に誤りがあります。" in html


def test_another_organisations_rows_and_ids_stay_out(
    page: Client, api: Client, register: dict[str, Any]
) -> None:
    # toyama's asset matches the search by name and description, but it is not mito's.
    assert "議員名簿（別組織）" not in _everywhere(page, api, {"q": "議員名簿"})
    assert "議員名簿（別組織）" not in _everywhere(page, api, {"q": "会議録"})
    office = register["office"]
    response = api.get("/api/assets", {"department": office.pk})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["department"], "msg": f"部署（id={office.pk}）はこの組織にありません。"}
    ]
    assert page.get("/assets/", {"department": office.pk}).status_code == 400


@pytest.mark.usefixtures("register")
def test_the_export_links_carry_the_lists_filters(page: Client) -> None:
    html = page.get("/assets/", {"confidentiality": "3B", "page": "1"}).content.decode()
    assert 'href="/assets/export/?confidentiality=3B"' in html
    assert 'href="/assets/export/?confidentiality=3B&amp;format=csv"' in html
