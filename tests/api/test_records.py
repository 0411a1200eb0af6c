"""`GET /api/records?book=…`: a book of the caller's organisation, never another's."""

from __future__ import annotations

from typing import Any

import pytest

from kitei.records.books import book_of
from kitei.records.services import record_entry
from tests.conftest import SETUP

from .conftest import api_client, token_for


def _fault(org: Any, person: Any, text: str) -> Any:
    book = book_of(org, "fault-record")
    return record_entry(
        org,
        actor=SETUP,
        book=book.id,
        recorded_by=person,
        fields={c.id: f"{text} {c.title}" for c in book.fields},
    )


@pytest.mark.django_db
def test_a_book_is_listed_newest_first_with_its_citation(sato: Any, suzuki: Any) -> None:
    _fault(sato.organization, sato, "一件目")
    _fault(sato.organization, sato, "二件目")
    response = api_client(token_for(suzuki)).get("/api/records", {"book": "fault-record"})
    assert response.status_code == 200
    data = response.json()
    assert data["book"] == "fault-record"
    assert data["kept_by"] == "pack"
    assert data["clause"]
    assert data["count"] == 2
    assert data["items"][0]["fields"][data["fields"][0]["id"]].startswith("二件目")
    assert data["items"][0]["recorded_by"] == "佐藤 一郎"


@pytest.mark.django_db
def test_unknown_book_is_422_in_japanese(suzuki: Any) -> None:
    response = api_client(token_for(suzuki)).get("/api/records", {"book": "diary"})
    assert response.status_code == 422
    assert "記録簿「diary」はこの組織のポリシーにありません" in response.json()["detail"]


@pytest.mark.django_db
def test_other_organisations_books_stay_out_of_reach(sato: Any, yamada: Any) -> None:
    _fault(sato.organization, sato, "水戸")
    client = api_client(token_for(yamada))
    # toyama's pack has no fault-record book; its own books show none of mito's entries.
    assert client.get("/api/records", {"book": "fault-record"}).status_code == 422
    for book in ("x.take-out",):
        data = client.get("/api/records", {"book": book}).json()
        assert data["count"] == 0
    assert api_client("kitei_bogus").get("/api/records", {"book": "x"}).status_code == 401
