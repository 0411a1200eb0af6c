"""One filter for the 情報システム台帳: the page, `/api/systems` and the export agree.

The same query string selects the same systems on all three (and the software sheet of
the export follows them); a parameter the list cannot take is refused by all three, with
its name and a Japanese reason; another organisation's systems and ids stay out.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kitei.people.services import create_department
from kitei.systems.models import System
from kitei.systems.services import add_software, register_system
from tests.conftest import SETUP

from ..api.conftest import api_client, token_for
from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a href="/systems/\d+/">([^<]+)</a>')
EVERY = {"議会情報システム", "会議録検索システム", "議会中継配信"}


@pytest.fixture
def register(mito: Any, somu: Any, sato: Any, toyama: Any) -> dict[str, Any]:
    """Three mito systems (zones, clouds, availability, managers); one of toyama's."""
    gijika = create_department(mito, actor=SETUP, name="議事課")
    council = register_system(
        mito,
        actor=SETUP,
        name="議会情報システム",
        department=somu,
        zone="lgwan",
        manager=sato,
        availability="2",
    )
    add_software(council, actor=SETUP, name="OS")
    search = register_system(
        mito,
        actor=SETUP,
        name="会議録検索システム",
        department=gijika,
        zone="internet",
        is_external_service=True,
        availability="1",
    )
    add_software(search, actor=SETUP, name="検索エンジン")
    register_system(mito, actor=SETUP, name="議会中継配信", department=gijika, zone="internet")
    office = create_department(toyama, actor=SETUP, name="事務局")
    register_system(toyama, actor=SETUP, name="議会情報システム（別組織）", department=office)
    return {"gijika": gijika, "office": office}


@pytest.fixture
def page(suzuki: Any) -> Client:
    client = Client()
    assert client.login(username="suzuki", password=PASSWORD)
    return client


@pytest.fixture
def api(suzuki: Any) -> Client:
    return api_client(token_for(suzuki))


def _csv(page: Client, query: dict[str, Any], sheet: str = "systems") -> list[list[str]]:
    response = page.get("/systems/export/", {**query, "format": "csv", "sheet": sheet})
    assert response.status_code == 200, response.content.decode()[-2000:]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]


def _everywhere(page: Client, api: Client, query: dict[str, Any]) -> set[str]:
    """The names the page, the API and the export select; asserts they are one set."""
    response = page.get("/systems/", query)
    assert response.status_code == 200, response.content.decode()[-2000:]
    shown = set(LINK.findall(response.content.decode().split("<tbody>")[1]))
    body = api.get("/api/systems", query).json()
    answered = {item["name"] for item in body["items"]}
    written = {row[1] for row in _csv(page, query)}
    assert shown == answered == written, (query, shown, answered, written)
    return shown


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({}, EVERY),
        ({"q": "会議録"}, {"会議録検索システム"}),
        ({"zone": "internet"}, {"会議録検索システム", "議会中継配信"}),
        ({"zone": "LGWAN接続系"}, {"議会情報システム"}),
        ({"external": "true"}, {"会議録検索システム"}),
        ({"external": "false", "zone": "internet"}, {"議会中継配信"}),
        ({"availability": "2"}, {"議会情報システム"}),
        ({"可用性": ["1", "2"]}, {"議会情報システム", "会議録検索システム"}),
        ({"q": "議会", "external": ""}, {"議会情報システム", "議会中継配信"}),
    ],
)
@pytest.mark.usefixtures("register")
def test_page_api_and_export_select_the_same_systems(
    page: Client, api: Client, query: dict[str, Any], names: set[str]
) -> None:
    assert _everywhere(page, api, query) == names


def test_row_filters_and_the_software_sheet(
    page: Client, api: Client, register: dict[str, Any], sato: Any
) -> None:
    gijika = register["gijika"]
    assert _everywhere(page, api, {"department": gijika.pk}) == {
        "会議録検索システム",
        "議会中継配信",
    }
    assert _everywhere(page, api, {"manager": sato.pk}) == {"議会情報システム"}
    # The software sheet lists the software of the systems the filters select.
    assert [row[1:3] for row in _csv(page, {"external": "true"}, "software")] == [
        ["会議録検索システム", "検索エンジン"]
    ]


def test_support_ended_selects_the_same_systems_everywhere(
    page: Client, api: Client, register: dict[str, Any], sato: Any
) -> None:
    today = timezone.localdate()
    council = System.objects.get(name="議会情報システム")
    add_software(council, actor=SETUP, name="古い OS", end_of_support=today - timedelta(days=1))
    search = System.objects.get(name="会議録検索システム")
    add_software(search, actor=SETUP, name="新しい OS", end_of_support=today + timedelta(days=9))
    assert _everywhere(page, api, {"support": "ended"}) == {"議会情報システム"}
    assert _everywhere(page, api, {"support": "ended", "manager": sato.pk}) == {"議会情報システム"}
    answer = api.get("/api/systems", {"support": "soon"})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["support"]


@pytest.mark.parametrize(
    ("query", "name", "reason"),
    [
        ({"external": "yes"}, "external", "true か false で指定してください。"),
        ({"zone": "moon"}, "zone", "ネットワーク「moon」はこの組織のポリシーにありません。"),
        ({"可用性": "9"}, "可用性", "可用性の区分「9」はありません"),
        ({"機密性": "3B"}, "機密性", "情報システムは可用性の分類でだけ絞り込めます。"),
        ({"manager": "x"}, "manager", "整数で指定してください。"),
        ({"colour": "red"}, "colour", "検索条件「colour」は使えません"),
    ],
)
@pytest.mark.usefixtures("register")
def test_a_value_the_list_cannot_take_is_refused_everywhere(
    page: Client, api: Client, query: dict[str, Any], name: str, reason: str
) -> None:
    answer = api.get("/api/systems", query)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == [name]
    assert reason in answer.json()["errors"][0]["msg"]
    shown = page.get("/systems/", query)
    assert shown.status_code == 400
    html = shown.content.decode()
    assert "検索条件に誤りがあります。" in html
    assert reason in html
    assert not LINK.search(html.split("<tbody>")[1])
    written = page.get("/systems/export/", {**query, "format": "csv"})
    assert written.status_code == 400
    assert reason in written.content.decode()


def test_another_organisations_systems_and_ids_stay_out(
    page: Client, api: Client, register: dict[str, Any]
) -> None:
    assert _everywhere(page, api, {"q": "議会情報"}) == {"議会情報システム"}
    office = register["office"]
    response = api.get("/api/systems", {"department": office.pk})
    assert response.status_code == 422
    assert f"部署（id={office.pk}）はこの組織にありません。" in response.json()["detail"]
    assert page.get("/systems/", {"department": office.pk}).status_code == 400
    assert page.get("/systems/export/", {"department": office.pk}).status_code == 400
