"""The record book pages: the books, entries by book, new entries, closing steps, isolation.

The cast is tests/conftest.py's and tests/records/conftest.py's: `suzuki` staff of 総務課 with
`take_out` (an approved take-out of the laptop), `honda` allowed into the 管理区域, `yamada`
of another organisation.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from kitei.approvals.models import RequestState
from kitei.records import services
from kitei.records.models import Awaiting, RecordEntry
from tests.conftest import SETUP

from ..conftest import PASSWORD, make_person
from .conftest import actions, approve, file, recorded_take_out, with_email

pytestmark = pytest.mark.django_db

# Session, account, gate (about 7) plus the page's own: count and page of entries. The
# bound does not grow with the number of entries.
MAX_QUERIES = 11
ENTRY_ROW = re.compile(r'<tr id="entry-\d+"')


def client_for(person: Any) -> Client:
    """A client logged in as the person (the cast's shared password)."""
    client = Client()
    assert client.login(username=person.user.username, password=PASSWORD)
    return client


def _record_take_out(org: Any, person: Any, request: Any = None, days: int = 3) -> RecordEntry:
    return services.record_entry(
        org,
        actor=person.user,
        book="x.take-out",
        recorded_by=person,
        fields={
            "item": "議会用ノートパソコン",
            "destination": "委員会室",
            "purpose": "資料作成",
            "taken_at": timezone.now(),
        },
        request=request,
        due_on=timezone.localdate() + timedelta(days=days),
    )


def test_books_list_the_packs_books_and_keitei_s_take_out_book(mito: Any, suzuki: Any) -> None:
    page = client_for(suzuki).get("/records/").content.decode()
    assert "廃棄記録（情報資産の廃棄・リース返却等）" in page
    assert "入退室管理簿" in page
    assert "3(2)コ(イ)" in page
    assert "持出記録（返却管理）" in page
    assert 'href="/records/x.take-out/export.xlsx"' in page


def test_the_applicant_records_the_take_out_and_its_return(
    mito: Any, suzuki: Any, take_out: Any
) -> None:
    client = client_for(suzuki)
    detail = client.get(f"/approvals/{take_out.pk}/").content.decode()
    assert f'href="/records/x.take-out/add/?request={take_out.pk}"' in detail
    form = client.get(f"/records/x.take-out/add/?request={take_out.pk}").content.decode()
    assert "返却予定日" in form
    assert "持出先" in form
    assert 'value="議会用ノートパソコン"' in form  # filled in from the request's asset
    due = timezone.localdate() + timedelta(days=2)
    response = client.post(
        "/records/x.take-out/add/",
        {
            "request": take_out.pk,
            "f_item": "議会用ノートパソコン",
            "f_purpose": "委員会資料の作成",
            "f_destination": "委員会室",
            "f_taken_at": "2026-01-05T09:00",
            "due_on": due.isoformat(),
        },
    )
    entry = RecordEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/records/x.take-out/#entry-{entry.pk}"
    assert (entry.request, entry.person, entry.due_on) == (take_out, suzuki, due)
    assert entry.fields["taken_at"] == "2026-01-05T09:00+09:00"  # Japan time
    book = client.get("/records/x.take-out/").content.decode()
    assert "返却待ち" in book
    assert "返却を記録" in book
    assert client.post(f"/records/entries/{entry.pk}/return/").status_code == 302
    entry.refresh_from_db()
    take_out.refresh_from_db()
    assert entry.closed_by == suzuki
    assert take_out.state == RequestState.COMPLETED
    assert actions(mito, entry) == ["record_entry", "record_return"]
    book = client.get("/records/x.take-out/").content.decode()
    assert "返却済み" in book
    assert "返却を記録" not in book.split("<tbody>")[1]
    assert "2026-01-05 09:00" in book  # 持出日時 in Japan time
    again = client.post(f"/records/entries/{entry.pk}/return/")
    assert again.status_code == 400
    assert "返却待ち" in again.content.decode()


def test_a_take_out_without_its_expected_return_is_refused_in_japanese(
    mito: Any, suzuki: Any, take_out: Any
) -> None:
    response = client_for(suzuki).post(
        "/records/x.take-out/add/",
        {"request": take_out.pk, "f_destination": "委員会室", "f_taken_at": "2026-01-05T09:00"},
    )
    assert response.status_code == 400
    assert "返却予定日を入力してください。" in response.content.decode()
    assert not RecordEntry.objects.exists()


def test_recording_a_take_out_warns_when_the_borrower_cannot_be_reminded(
    mito: Any, suzuki: Any, sato: Any, *, laptop: Any, take_out: Any
) -> None:
    form = {
        "request": take_out.pk,
        "f_item": "議会用ノートパソコン",
        "f_purpose": "委員会資料の作成",
        "f_destination": "委員会室",
        "f_taken_at": "2026-01-05T09:00",
        "due_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
    }
    client = client_for(suzuki)
    response = client.post("/records/x.take-out/add/", form, follow=True)
    said = [(m.level_tag, m.message) for m in response.context["messages"]]
    assert said == [
        ("success", "「持出記録（返却管理）」に記録しました。"),
        (
            "warning",
            "鈴木 花子 にはメールアドレスが登録されていないため、返却予定日を過ぎても"
            "メールでのお知らせは届きません。",
        ),
    ]
    returns = client.get("/records/returns/").content.decode()
    assert "メールアドレス未登録（通知できません）" in returns
    # With an address there is nothing to warn about, and the list does not flag the row.
    with_email(suzuki, "suzuki@example.jp")
    another = approve(file(mito, suzuki, "asset.take_out", asset=laptop), sato)  # one each
    response = client.post("/records/x.take-out/add/", {**form, "request": another.pk}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert "メールアドレス未登録" not in client.get("/records/returns/").content.decode()


def test_a_missing_field_is_refused_in_japanese(mito: Any, suzuki: Any) -> None:
    response = client_for(suzuki).post("/records/fault-record/add/", {"f_fault_report": "停止"})
    assert response.status_code == 400
    assert not RecordEntry.objects.exists()


def test_the_disposal_is_completed_from_the_book(mito: Any, suzuki: Any) -> None:
    entry = services.record_entry(
        mito, actor=SETUP, book="disposal-record", recorded_by=suzuki, fields={}
    )
    client = client_for(suzuki)
    assert "廃棄の処理を記録" in client.get("/records/disposal-record/").content.decode()
    refused = client.post(f"/records/entries/{entry.pk}/disposal/", {"processing": ""})
    assert refused.status_code == 400
    assert "処理内容を入力してください。" in refused.content.decode()
    done = client.post(f"/records/entries/{entry.pk}/disposal/", {"processing": "物理的に破壊"})
    assert done.status_code == 302
    entry.refresh_from_db()
    assert entry.fields["processing"] == "物理的に破壊"
    assert entry.fields["person_in_charge"] == "鈴木 花子"
    assert actions(mito, entry)[-1] == "complete_disposal"


def test_an_approved_disposal_is_entered_then_completed(
    mito: Any, suzuki: Any, sato: Any, laptop: Any
) -> None:
    """002 3(2)コ(イ): entered when approved, 日時・担当者・処理内容 filled when done."""
    request = approve(file(mito, suzuki, "asset.dispose", asset=laptop), sato)
    client = client_for(suzuki)
    detail = client.get(f"/approvals/{request.pk}/").content.decode()
    add = f"/records/disposal-record/add/?request={request.pk}"
    assert f'href="{add}"' in detail
    assert "「廃棄記録（情報資産の廃棄・リース返却等）」に記録" in detail
    assert "空欄のまま記録してください" in client.get(add).content.decode()
    assert client.post(add, {"request": request.pk}).status_code == 302
    entry = RecordEntry.objects.get()
    assert (entry.request, entry.awaits) == (request, Awaiting.DISPOSAL)
    assert f'href="{add}"' not in client.get(f"/approvals/{request.pk}/").content.decode()
    client.post(f"/records/entries/{entry.pk}/disposal/", {"processing": "データ消去ソフトで消去"})
    entry.refresh_from_db()
    request.refresh_from_db()
    assert entry.fields["processing"] == "データ消去ソフトで消去"
    assert request.state == RequestState.COMPLETED


def test_work_is_confirmed_by_a_second_person_only(
    mito: Any, somu: Any, suzuki: Any, sato: Any
) -> None:
    entry = services.record_entry(
        mito,
        actor=SETUP,
        book="change-work-record",
        recorded_by=suzuki,
        fields={"work_content": "ファイアウォールの設定変更"},
    )
    assert entry.awaits == Awaiting.CONFIRMATION
    own = client_for(suzuki)
    assert (
        "作業を記録した者とは別の者が確認します。"
        in own.get("/records/change-work-record/").content.decode()
    )
    refused = own.post(f"/records/entries/{entry.pk}/confirm/")
    assert refused.status_code == 400
    assert "別の者が行わなければなりません" in refused.content.decode()
    colleague = make_person(mito, "takahashi", "高橋 七郎", department=somu)
    assert client_for(colleague).post(f"/records/entries/{entry.pk}/confirm/").status_code == 302
    entry.refresh_from_db()
    assert entry.closed_by == colleague
    assert actions(mito, entry)[-1] == "confirm_work"


def test_a_visitor_is_entered_with_their_escort_and_leaves(
    mito: Any, suzuki: Any, honda: Any
) -> None:
    client = client_for(suzuki)
    form = client.get("/records/entry-log/add/").content.decode()
    assert "付添者" in form
    response = client.post(
        "/records/entry-log/add/",
        {
            "area": "情報システム室",
            "visitor_name": "保守 太郎",
            "visitor_affiliation": "保守事業者",
            "escort": honda.pk,
            "entered_at": "2026-01-05T10:00",
        },
    )
    assert response.status_code == 302
    entry = RecordEntry.objects.get()
    assert (entry.fields["escort"], entry.person, entry.awaits) == ("本田 六子", honda, "exit")
    book = client.get("/records/entry-log/").content.decode()
    assert "保守 太郎" in book
    assert "退室を記録" in book
    assert client.post(f"/records/entries/{entry.pk}/leave/").status_code == 302
    entry.refresh_from_db()
    assert entry.closed_at is not None


def test_an_escort_not_allowed_into_the_area_is_refused_in_japanese(mito: Any, suzuki: Any) -> None:
    response = client_for(suzuki).post(
        "/records/entry-log/add/",
        {
            "area": "情報システム室",
            "visitor_name": "保守 太郎",
            "visitor_affiliation": "保守事業者",
            "escort": suzuki.pk,
            "entered_at": "2026-01-05T10:00",
        },
    )
    assert response.status_code == 400
    assert "入退室を許可された者ではありません" in response.content.decode()
    assert not RecordEntry.objects.exists()


def test_overdue_returns_are_listed(mito: Any, suzuki: Any, take_out: Any) -> None:
    late = _record_take_out(mito, suzuki, take_out, days=3)
    RecordEntry.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=4))
    client = client_for(suzuki)
    page = client.get("/records/overdue/").content.decode()
    assert f"#entry-{late.pk}" in page
    assert "4 日" in page
    assert "鈴木 花子" in page
    assert "返却期限超過" in client.get("/records/x.take-out/").content.decode()
    assert 'href="/records/overdue/"' in client.get("/records/").content.decode()


def test_a_book_exports_to_xlsx(mito: Any, suzuki: Any, take_out: Any) -> None:
    _record_take_out(mito, suzuki, take_out)
    response = client_for(suzuki).get("/records/x.take-out/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headings = [c.value for c in sheet[1]]
    assert "持出先" in headings
    assert "返却予定日" in headings
    assert sheet.max_row == 2


def test_a_book_page_takes_a_constant_number_of_queries(
    mito: Any, suzuki: Any, sato: Any, laptop: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(suzuki)
    client.get("/records/x.take-out/")  # warm the pack engine's cache
    due = timezone.localdate() + timedelta(days=3)
    for _n in range(60):
        recorded_take_out(mito, suzuki, sato, laptop, due=due)
    with django_assert_max_num_queries(MAX_QUERIES):
        first = client.get("/records/x.take-out/").content.decode()
    with django_assert_max_num_queries(MAX_QUERIES):
        second = client.get("/records/x.take-out/", {"page": 2}).content.decode()
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get("/records/").status_code == 200
    assert len(ENTRY_ROW.findall(first)) == 50
    assert len(ENTRY_ROW.findall(second)) == 10
    assert "2 / 2" in second


def test_another_organisations_entries_and_unknown_books_are_404(
    mito: Any, suzuki: Any, take_out: Any, yamada: Any
) -> None:
    entry = _record_take_out(mito, suzuki, take_out)
    client = client_for(yamada)
    assert client.post(f"/records/entries/{entry.pk}/return/").status_code == 404
    assert client.post(f"/records/entries/{entry.pk}/confirm/").status_code == 404
    assert client.get("/records/entry-log/").status_code == 404  # toyama's pack has none
    assert client.get(f"/records/x.take-out/add/?request={take_out.pk}").status_code == 404
    page = client.get("/records/x.take-out/").content.decode()
    assert "議会用ノートパソコン" not in page
    entry.refresh_from_db()
    assert entry.closed_at is None
