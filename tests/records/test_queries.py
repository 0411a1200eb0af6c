"""Reading the books: pages in constant queries, overdue take-outs, .xlsx export, isolation."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kitei.records.books import TAKE_OUT
from kitei.records.models import RecordEntry
from kitei.records.queries import entries_of, export_book, get_entry, overdue_returns
from kitei.records.services import complete_disposal, record_entry, record_return
from tests.conftest import SETUP, first_number

from .conftest import recorded_take_out

FAULT = {"fault_report": "印刷できない", "handling_result": "ドライバ更新", "issues": "なし"}


@pytest.fixture
def lend(mito: Any, sato: Any, suzuki: Any, laptop: Any) -> Any:
    """suzuki's approved take-outs of mito's laptop, recorded: lend(due, item=…)."""

    def record(due: date, item: str = "USBメモリ", **fields: Any) -> Any:
        return recorded_take_out(mito, suzuki, sato, laptop, due=due, item=item, **fields)

    return record


def _faults(org: Any, by: Any, n: int) -> None:
    for i in range(n):
        record_entry(
            org,
            actor=SETUP,
            book="fault-record",
            recorded_by=by,
            fields={**FAULT, "issues": str(i)},
        )


@pytest.mark.django_db
def test_a_page_of_a_book_costs_the_same_queries_however_long(
    mito: Any, sato: Any, lend: Any, django_assert_num_queries: Any
) -> None:
    def read(page: int) -> list[str]:
        result = entries_of(mito, TAKE_OUT, page=page, per_page=10)
        return [
            f"{e.recorded_by.name}{e.person}{e.closed_by}{e.request}{e.superseded}"  # type: ignore[attr-defined]  # annotated
            for e in result
        ]

    for _ in range(3):
        record_return(lend(date(2026, 12, 1)), actor=SETUP, returned_by=sato)
    lend(date(2026, 12, 1))
    with django_assert_num_queries(2):  # the count and the page, related rows joined
        assert len(read(1)) == 4
    for i in range(30):
        lend(date(2026, 12, 1), item=f"媒体{i}")
    with django_assert_num_queries(2):
        assert len(read(2)) == 10


@pytest.mark.django_db
def test_pages_are_newest_first_and_can_hold_open_entries_only(
    mito: Any, suzuki: Any, lend: Any
) -> None:
    first = lend(date(2026, 12, 1), item="一つ目")
    second = lend(date(2026, 12, 1), item="二つ目")
    record_return(first, actor=SETUP, returned_by=suzuki)
    page = entries_of(mito, TAKE_OUT)
    assert [e.pk for e in page] == [second.pk, first.pk]
    assert [e.pk for e in entries_of(mito, TAKE_OUT, open_only=True)] == [second.pk]
    assert page.paginator.count == 2
    with pytest.raises(ValidationError, match="この組織のポリシーにありません"):
        entries_of(mito, "purchase-log")


@pytest.mark.django_db
def test_overdue_returns_are_the_open_take_outs_past_their_date(
    mito: Any, toyama: Any, suzuki: Any, yamada: Any, *, lend: Any, toyama_cast: Any
) -> None:
    today = date(2026, 11, 22)
    late = lend(today - timedelta(days=2), item="遅れ")
    lend(today, item="今日まで")
    returned = lend(today - timedelta(days=5), item="返却済み")
    record_return(returned, actor=SETUP, returned_by=suzuki)
    corrected = lend(today - timedelta(days=9), item="訂正前")
    correction = record_entry(
        mito,
        actor=SETUP,
        book=TAKE_OUT,
        recorded_by=suzuki,
        fields={**corrected.fields, "item": "訂正後"},
        request=corrected.request,
        due_on=today - timedelta(days=1),
        corrects=corrected,
    )
    recorded_take_out(
        toyama, yamada, toyama_cast.chief, toyama_cast.drawings,
        due=today - timedelta(days=3), item="富山の遅れ",
    )  # fmt: skip
    assert [e.pk for e in overdue_returns(mito, today)] == [late.pk, correction.pk]
    assert [e.fields["item"] for e in overdue_returns(toyama, today)] == ["富山の遅れ"]


@pytest.mark.django_db
def test_each_organisation_reads_only_its_own_books(
    mito: Any, toyama: Any, sato: Any, yamada: Any, *, lend: Any, toyama_cast: Any
) -> None:
    mine = lend(date(2026, 12, 1), item="水戸の媒体")
    theirs = recorded_take_out(
        toyama, yamada, toyama_cast.chief, toyama_cast.drawings,
        due=date(2026, 12, 1), item="富山の媒体",
    )  # fmt: skip
    # numbered per organisation: each one's first take-out is its R8-0001 (this year's)
    assert (mine.number, theirs.number) == (first_number(), first_number())
    assert [e.pk for e in entries_of(mito, TAKE_OUT)] == [mine.pk]
    assert [e.pk for e in entries_of(toyama, TAKE_OUT)] == [theirs.pk]
    assert get_entry(mito, mine.pk) == mine
    with pytest.raises(RecordEntry.DoesNotExist):
        get_entry(mito, theirs.pk)
    with pytest.raises(ValidationError, match="返却者がこの組織の職員ではありません"):
        record_return(theirs, actor=SETUP, returned_by=sato)
    sheet = openpyxl.load_workbook(io.BytesIO(export_book(toyama, TAKE_OUT))).worksheets[0]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "富山の媒体" in values
    assert "水戸の媒体" not in values


@pytest.mark.django_db
def test_a_book_exports_to_xlsx_with_japanese_headings(mito: Any, sato: Any, suzuki: Any) -> None:
    opened = record_entry(mito, actor=SETUP, book="disposal-record", recorded_by=sato, fields={})
    complete_disposal(opened, actor=SETUP, done_by=suzuki, processing='=HYPERLINK("http://x")')
    record_entry(mito, actor=SETUP, book="disposal-record", recorded_by=sato, fields={})
    workbook = openpyxl.load_workbook(io.BytesIO(export_book(mito, "disposal-record")))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "番号", "記録日時", "記録者", "日時", "担当者の氏名", "処理内容", "状態", "処理の記録日時",
        "申請番号", "申請の対象", "訂正する記録の番号", "訂正",
    )  # fmt: skip
    assert len(rows) == 3
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["番号"] == opened.number
    assert first["担当者の氏名"] == "鈴木 花子"
    assert first["状態"] == "完了"
    assert first["処理内容"] == '=HYPERLINK("http://x")'  # kept as text, never a formula
    assert sheet.cell(row=2, column=6).data_type == "s"
    assert first["記録日時"].date() == timezone.localdate()
    assert dict(zip(rows[0], rows[2], strict=True))["状態"] == "処理待ち"
    about = dict(workbook["記録簿について"].iter_rows(min_row=2, values_only=True))
    assert about["根拠（条項）"] == "3(2)コ(イ)"
    assert about["管理"] == "規程が定める記録簿"


@pytest.mark.django_db
def test_the_take_out_export_says_kitei_keeps_it(mito: Any, suzuki: Any, lend: Any) -> None:
    entry = lend(date(2020, 1, 1))
    workbook = openpyxl.load_workbook(io.BytesIO(export_book(mito, TAKE_OUT)))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["持出者"] == "鈴木 花子"
    assert row["返却予定日"].date() == date(2020, 1, 1)
    assert row["状態"] == "返却期限超過"
    assert row["返却日時"] is None
    assert row["番号"] == entry.number == first_number()
    # the row names what was taken out, not only the request's number
    assert row["申請番号"] == entry.request.number
    assert row["申請の対象"] == "議会用ノートパソコン"
    about = dict(workbook["記録簿について"].iter_rows(min_row=2, values_only=True))
    assert "規程が定めるものではありません" in about["管理"]
    assert workbook.worksheets[0].title == "持出記録（返却管理）"
