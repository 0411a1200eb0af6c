"""A recorded 廃棄 reaches the register (issue 9, point 6): the asset becomes 廃棄済み.

Completing the disposal record entry of an approved disposal marks the asset disposed
(when, and by which entry); it stays in the register for its history, is left out of the
list, the API and the export unless asked for (`disposed=1`), and nothing more can be
asked or changed about it. Book rows and their .xlsx name the asset.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from kitei.approvals.models import RequestState
from kitei.assets.models import Asset
from kitei.core.models import ChangeRecord
from kitei.records.models import RecordEntry
from kitei.records.services import record_entry

from ..api.conftest import api_client, token_for
from ..conftest import PASSWORD
from .conftest import actions, approve, file

pytestmark = pytest.mark.django_db


def client_for(person: Any) -> Client:
    client = Client()
    assert client.login(username=person.user.username, password=PASSWORD)
    return client


@pytest.fixture
def disposed(mito: Any, sato: Any, suzuki: Any, laptop: Any) -> RecordEntry:
    """suzuki's approved disposal of the laptop, opened and then completed through the pages."""
    request = approve(file(mito, suzuki, "asset.dispose", asset=laptop), sato)
    client = client_for(suzuki)
    opened = client.post("/records/disposal-record/add/", {"request": request.pk})
    assert opened.status_code == 302
    entry = RecordEntry.objects.get(request=request)
    assert entry.is_open
    laptop.refresh_from_db()
    assert laptop.disposed_at is None  # approved and opened, not yet done
    done = client.post(f"/records/entries/{entry.pk}/disposal/", {"processing": "物理破壊"})
    assert done.status_code == 302
    entry.refresh_from_db()
    return entry


def test_completing_the_disposal_record_marks_the_asset_disposed(
    mito: Any, suzuki: Any, laptop: Any, disposed: RecordEntry
) -> None:
    laptop.refresh_from_db()
    assert laptop.disposed_at == disposed.closed_at
    assert laptop.disposed_by_entry_id == disposed.pk
    assert disposed.request.state == RequestState.COMPLETED
    assert actions(mito, laptop) == ["register_asset", "dispose_asset"]
    record = ChangeRecord.objects.get(action="dispose_asset")
    assert f'"number":"{disposed.number}"' in record.after
    assert record.actor_name == suzuki.user.username


def test_a_disposed_asset_is_hidden_from_the_list_unless_asked_for(
    suzuki: Any, laptop: Any, disposed: RecordEntry
) -> None:
    client = client_for(suzuki)
    listed = client.get("/assets/").content.decode()
    assert f'href="/assets/{laptop.pk}/"' not in listed
    assert 'name="disposed" value="true"' in listed  # 「廃棄済みを含める」
    assert "廃棄済みを含める" in listed
    shown = client.get("/assets/", {"disposed": "true"}).content.decode()
    assert f'href="/assets/{laptop.pk}/"' in shown
    assert 'name="disposed" value="true" checked' in shown
    assert '<span class="badge">廃棄済み</span>' in shown


def test_the_asset_page_says_disposed_when_and_by_which_entry(
    suzuki: Any, laptop: Any, disposed: RecordEntry
) -> None:
    page = client_for(suzuki).get(f"/assets/{laptop.pk}/").content.decode()
    when = timezone.localtime(disposed.closed_at).strftime("%Y-%m-%d %H:%M")
    assert 'id="disposed"' in page
    assert when in page
    assert (
        f'<a href="/records/disposal-record/#entry-{disposed.pk}">廃棄の記録 {disposed.number}</a>'
        in page
    )
    assert f'href="/approvals/new/?asset={laptop.pk}"' not in page  # nothing more to ask


def test_the_api_and_the_export_leave_it_out_unless_asked_for(
    suzuki: Any, laptop: Any, disposed: RecordEntry
) -> None:
    staff = api_client(token_for(suzuki))
    assert staff.get("/api/assets").json()["count"] == 0
    refused = staff.get("/api/assets", {"disposed": "yes"})
    assert refused.status_code == 422
    assert "true か false で指定してください。" in refused.json()["detail"]
    [item] = staff.get("/api/assets", {"disposed": "true"}).json()["items"]
    assert item["id"] == laptop.pk
    assert item["disposed_at"] is not None
    detail = staff.get(f"/api/assets/{laptop.pk}").json()
    assert detail["disposal_record"] == {
        "id": disposed.pk,
        "book": "disposal-record",
        "number": disposed.number,
    }
    client = client_for(suzuki)
    for query, names in (({}, []), ({"disposed": "true"}, [laptop.name])):
        response = client.get("/assets/export/", query)
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == names


def test_nothing_more_is_asked_or_changed_about_a_disposed_asset(
    mito: Any, sato: Any, suzuki: Any, *, laptop: Any, disposed: RecordEntry
) -> None:
    with pytest.raises(
        ValidationError, match="廃棄済みです。廃棄済みの情報資産については申請できません"
    ):
        file(mito, suzuki, "asset.take_out", asset=laptop)
    form = client_for(suzuki).get("/approvals/new/").content.decode()
    assert f'<option value="{laptop.pk}"' not in form
    patched = api_client(token_for(sato)).patch(
        f"/api/assets/{laptop.pk}",
        json.dumps({"storage_location": "倉庫"}),
        content_type="application/json",
    )
    assert patched.status_code in (403, 422)
    laptop.refresh_from_db()
    assert laptop.storage_location == ""


def test_a_disposal_recorded_whole_disposes_at_its_own_time(
    mito: Any, sato: Any, suzuki: Any, laptop: Any
) -> None:
    request = approve(file(mito, suzuki, "asset.dispose", asset=laptop), sato)
    entry = record_entry(
        mito,
        actor=suzuki.user,
        book="disposal-record",
        recorded_by=suzuki,
        fields={
            "datetime": "2026-11-20T10:00",
            "person_in_charge": "鈴木 花子",
            "processing": "リース会社へ返却（消去証明書あり）",
        },
        request=request,
    )
    laptop.refresh_from_db()
    assert laptop.disposed_at == timezone.make_aware(datetime(2026, 11, 20, 10, 0))
    assert laptop.disposed_by_entry_id == entry.pk
    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED
    # a correction of the done disposal leaves the asset as the first entry marked it
    record_entry(
        mito,
        actor=suzuki.user,
        book="disposal-record",
        recorded_by=suzuki,
        fields={**entry.fields, "processing": "リース会社へ返却（消去証明書番号 123）"},
        request=request,
        corrects=entry,
    )
    assert Asset.objects.get(pk=laptop.pk).disposed_by_entry_id == entry.pk


def test_book_rows_and_their_xlsx_name_the_asset(
    mito: Any, suzuki: Any, laptop: Any, disposed: RecordEntry
) -> None:
    client = client_for(suzuki)
    book = client.get("/records/disposal-record/").content.decode()
    assert f'<small class="target">{laptop.name}</small>' in book
    response = client.get("/records/disposal-record/export.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].values)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["番号"], row["申請番号"], row["申請の対象"]) == (
        disposed.number,
        disposed.request.number,
        laptop.name,
    )
    assert row["処理内容"] == "物理破壊"
