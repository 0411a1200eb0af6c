"""The audit trail's .xlsx export: the filtered records, Japanese headings, no formula cells."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from kitei.assets.services import register_asset, update_asset
from kitei.core.models import ChangeRecord
from tests.conftest import PASSWORD, make_person

TRIGGERS = ("=", "+", "-", "@")


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def kansa(mito: Any) -> Any:
    return make_person(mito, "kansa", "監査 一子", roles=("auditor",))


@pytest.fixture
def formula(mito: Any, somu: Any) -> Any:
    """An asset whose name and storage a spreadsheet would take for formulas."""
    admin = make_person(mito, "ito", "伊藤 五郎", department=somu, is_org_admin=True)
    asset = register_asset(
        mito,
        actor=admin.user,
        name='=HYPERLINK("http://example.com","開く")',
        department=somu,
        form="paper",
        classification={"confidentiality": "1", "integrity": "1", "availability": "1"},
    )
    return update_asset(asset, actor=admin.user, storage_location="@SUM(1+1) 書庫")


def _workbook(client: Client, **params: str) -> Any:
    response = client.get("/audit/export.xlsx", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


@pytest.mark.django_db
def test_export_has_japanese_headings_real_dates_and_words(kansa: Any, formula: Any) -> None:
    book = _workbook(_client("kansa"))
    assert book.sheetnames == ["変更記録", "変更の項目"]
    sheet = book["変更記録"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("連番", "日時", "実行者", "ログイン名・操作者", "操作")
    assert len(rows) - 1 == ChangeRecord.objects.count()
    newest = rows[1]
    record = ChangeRecord.objects.order_by("-seq").first()
    assert record is not None
    assert newest[0] == record.seq
    assert isinstance(newest[1], datetime)  # a date cell, not text
    assert sheet.cell(row=2, column=2).is_date
    local = timezone.localtime(record.at).replace(tzinfo=None)
    assert abs((newest[1] - local).total_seconds()) < 1  # Japan time, as the page shows it
    assert newest[2:6] == ("伊藤 五郎", "ito", "情報資産の変更", "update_asset")
    assert newest[6] == "情報資産"
    assert newest[9] == "保管場所: — → @SUM(1+1) 書庫"  # begins with the label: no apostrophe
    assert newest[10] == record.hash
    fields = list(book["変更の項目"].iter_rows(values_only=True))
    assert fields[0] == (
        "連番",
        "日時",
        "実行者",
        "操作",
        "対象の種類",
        "対象",
        "項目",
        "変更前",
        "変更後",
    )
    assert fields[1][6:] == ("保管場所", "—", "'@SUM(1+1) 書庫")


@pytest.mark.django_db
def test_no_cell_starts_like_a_formula(kansa: Any, formula: Any) -> None:
    book = _workbook(_client("kansa"))
    texts = [
        cell.value
        for sheet in book
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert '\'=HYPERLINK("http://example.com","開く")' in texts
    assert not [t for t in texts if t.startswith(TRIGGERS)]
    assert all(cell.data_type != "f" for s in book for r in s.iter_rows() for cell in r)


@pytest.mark.django_db
def test_export_holds_the_filtered_records_only(kansa: Any, formula: Any) -> None:
    book = _workbook(_client("kansa"), action="register_asset", actor="ito")
    rows = list(book["変更記録"].iter_rows(values_only=True))[1:]
    assert [(r[4], r[7]) for r in rows] == [
        ("情報資産の登録", '\'=HYPERLINK("http://example.com","開く")')
    ]


@pytest.mark.django_db
def test_too_many_records_are_refused_with_a_way_forward(
    kansa: Any, formula: Any, settings: Any
) -> None:
    settings.AUDIT_EXPORT_ROWS = 2
    response = _client("kansa").get("/audit/export.xlsx")
    assert response.status_code == 400
    assert "書き出せるのは 2 件までです。期間などで絞り込んでから書き出してください。" in (
        response.content.decode()
    )
    assert _workbook(_client("kansa"), action="register_asset")  # one record: allowed


@pytest.mark.django_db
def test_a_bad_date_is_refused_before_anything_is_written(kansa: Any) -> None:
    response = _client("kansa").get("/audit/export.xlsx", {"date_to": "2026-02-30"})
    assert response.status_code == 400
    assert "終了日は 2027-03-31 のように年-月-日で入力してください。" in response.content.decode()
