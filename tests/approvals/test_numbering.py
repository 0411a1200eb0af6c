"""Numbers per organisation and fiscal year (issue 9, point 7): 申請番号 and 記録番号 R8-0001.

toyama's first request used to be 申請番号 4 because mito had filed three: each organisation
now numbers its own requests, and each book its own entries, within the fiscal year
(4月1日 – 3月31日, named by its era: 2026-04-01 … 2027-03-31 is 令和8年度, R8).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from kitei.core import numbering
from kitei.core.models import NumberCounter
from kitei.records.books import TAKE_OUT
from kitei.records.services import record_entry

from ..api.conftest import api_client, token_for
from ..conftest import PASSWORD, make_person
from .conftest import approve, file

pytestmark = pytest.mark.django_db


def client_for(person: Any) -> Client:
    client = Client()
    assert client.login(username=person.user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize(
    ("day", "year", "shown"),
    [
        (date(2026, 4, 1), 2026, "R8"),
        (date(2027, 3, 31), 2026, "R8"),  # 3月31日 still closes 令和8年度
        (date(2027, 4, 1), 2027, "R9"),
        (date(2019, 4, 1), 2019, "R1"),  # 令和元年度 (the era began on 1 May)
        (date(2019, 3, 31), 2018, "H30"),
    ],
)
def test_the_fiscal_year_runs_from_april_and_is_named_by_its_era(
    day: date, year: int, shown: str
) -> None:
    assert numbering.fiscal_year(day) == year
    assert numbering.era_year(year) == shown
    assert numbering.display(year, 7) == f"{shown}-0007"


def test_numbers_start_again_each_fiscal_year_for_each_kind(mito: Any, toyama: Any) -> None:
    def take(org: Any, kind: str, on: date) -> str:
        with transaction.atomic():
            return numbering.next_number(org, kind, on=on)

    assert take(mito, "request", date(2027, 3, 31)) == "R8-0001"
    assert take(mito, "request", date(2027, 3, 31)) == "R8-0002"
    assert take(mito, "request", date(2027, 4, 1)) == "R9-0001"
    assert take(mito, numbering.book_kind(TAKE_OUT), date(2027, 3, 31)) == "R8-0001"
    assert take(toyama, "request", date(2027, 3, 31)) == "R8-0001"
    assert take(mito, "request", date(2026, 5, 1)) == "R8-0003"  # the same year's counter
    assert NumberCounter.objects.get(organization=mito, kind="request", fiscal_year=2026).last == 3


def test_each_organisation_numbers_its_own_requests(
    mito: Any, toyama: Any, suzuki: Any, sato: Any, *, yamada: Any, roster: Any, minutes: Any
) -> None:
    """The page, the list and the API show the organisation's number; the URL keeps the id."""
    year = numbering.era_year(numbering.fiscal_year(timezone.localdate()))
    mine = [file(mito, suzuki, "asset.take_out", asset=a) for a in (roster, minutes, roster)]
    assert [r.number for r in mine] == [f"{year}-0001", f"{year}-0002", f"{year}-0003"]
    make_person(toyama, "tokatsu", "統括 五郎", roles=("chief_information_manager",))
    toyama_api = api_client(token_for(yamada))
    body: dict[str, Any] = {"action": "account.suspend_violator", "reason": "違反の調査"}
    checklist = toyama_api.post("/api/requests", json.dumps(body), content_type="application/json")
    assert checklist.json()["code"] == "obligations"  # refused: no number used up
    body["confirmed_obligations"] = [o["id"] for o in checklist.json()["decision"]["obligations"]]
    created = toyama_api.post("/api/requests", json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.json()
    assert created.json()["number"] == f"{year}-0001"  # not 4: toyama's own first request
    client = client_for(suzuki)
    detail = client.get(f"/approvals/{mine[1].pk}/").content.decode()
    assert f"申請番号 {year}-0002</small>" in detail
    listed = client.get("/approvals/").content.decode()
    assert f'<a href="/approvals/{mine[2].pk}/">{year}-0003</a>' in listed


def test_each_book_numbers_its_own_entries_and_shows_them(
    mito: Any, suzuki: Any, sato: Any, roster: Any
) -> None:
    year = numbering.era_year(numbering.fiscal_year(timezone.localdate()))
    out = approve(file(mito, suzuki, "asset.take_out", asset=roster), sato)
    dispose = approve(file(mito, suzuki, "asset.dispose", asset=roster), sato)
    taken = record_entry(
        mito,
        actor=suzuki.user,
        book=TAKE_OUT,
        recorded_by=suzuki,
        fields={},
        request=out,
        due_on=timezone.localdate() + timedelta(days=2),
    )
    opened = record_entry(
        mito,
        actor=suzuki.user,
        book="disposal-record",
        recorded_by=suzuki,
        fields={},
        request=dispose,
    )
    assert (taken.number, opened.number) == (f"{year}-0001", f"{year}-0001")
    client = client_for(suzuki)
    book = client.get("/records/disposal-record/").content.decode()
    assert f'<td class="nowrap">{year}-0001</td>' in book
    assert f'>{dispose.number}</a><br><small class="target">議員名簿</small>' in book
    request_page = client.get(f"/approvals/{out.pk}/").content.decode()
    assert f"持出記録（返却管理） {year}-0001</a>" in request_page
    listed = api_client(token_for(suzuki)).get("/api/records", {"book": TAKE_OUT}).json()
    [item] = listed["items"]
    assert (item["number"], item["request_number"], item["target"]) == (
        f"{year}-0001",
        out.number,
        "議員名簿",
    )
