"""The entry log with visitors and escorts; the exception register, its reports and reviews."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kitei.approvals.models import RequestState
from kitei.core.models import ChangeRecord
from kitei.records.books import EXCEPTION_REVIEW
from kitei.records.exceptions import (
    record_exception,
    report_exception_afterwards,
    review_exception,
)
from kitei.records.models import Awaiting, RecordEntry
from kitei.records.services import record_entry, record_leaving, record_visit
from tests.conftest import SETUP

from .conftest import actions, approve, file

BACKGROUND = {"background": "災害対応のため私物端末で連絡を取る必要があった"}


def _visit(org: Any, recorded_by: Any, escort: Any, **kwargs: Any) -> Any:
    return record_visit(
        org,
        actor=recorded_by.user,
        recorded_by=recorded_by,
        area="サーバ室",
        visitor_name="保守 太郎",
        visitor_affiliation="株式会社保守",
        escort=escort,
        entered_at=kwargs.pop("entered_at", timezone.now() - timedelta(hours=2)),
        **kwargs,
    )


@pytest.mark.django_db
def test_a_visitor_is_logged_with_their_escort(mito: Any, sato: Any, honda: Any) -> None:
    entry = _visit(mito, sato, honda)
    assert entry.book == "entry-log"
    assert entry.fields["name"] == "保守 太郎"
    assert entry.fields["affiliation"] == "株式会社保守"
    assert entry.fields["escort"] == "本田 六子"
    assert entry.person == honda
    assert entry.awaits == Awaiting.EXIT
    assert entry.is_open
    left = record_leaving(entry, actor=sato.user)
    assert left.closed_at is not None
    assert not left.is_open
    with pytest.raises(ValidationError, match="既に記録されています"):
        record_leaving(entry, actor=sato.user)
    assert actions(mito, entry) == ["record_visit", "record_leaving"]
    done = _visit(mito, sato, honda, left_at=timezone.now() - timedelta(hours=1))
    assert not done.is_open
    assert done.fields["left_at"]


@pytest.mark.django_db
def test_the_escort_must_be_allowed_into_the_area(
    mito: Any, toyama: Any, sato: Any, honda: Any, yamada: Any
) -> None:
    # 002 5-2(2)ウ: 管理区域への入退室を許可された職員等が付き添う
    with pytest.raises(ValidationError, match="入退室を許可された者ではありません"):
        _visit(mito, honda, sato)
    with pytest.raises(ValidationError, match="付添者はこの組織の職員でなければなりません"):
        _visit(mito, sato, yamada)
    with pytest.raises(ValidationError, match="退室日時が入室日時より前です"):
        _visit(mito, sato, honda, left_at=timezone.now() - timedelta(hours=3))
    with pytest.raises(ValidationError, match="入退室管理簿が定められていません"):
        _visit(toyama, yamada, yamada)
    assert not RecordEntry.objects.exists()


@pytest.mark.django_db
def test_staff_enter_the_log_through_record_entry(mito: Any, honda: Any) -> None:
    entry = record_entry(
        mito,
        actor=SETUP,
        book="entry-log",
        recorded_by=honda,
        fields={"area": "サーバ室", "name": "本田 六子", "entered_at": "2026-11-20T09:00"},
    )
    assert entry.awaits == Awaiting.EXIT
    with pytest.raises(ValidationError, match="退室日時が入室日時より前です"):
        record_leaving(entry, actor=SETUP, left_at=timezone.make_aware(
            timezone.datetime(2026, 11, 20, 8, 0)))  # fmt: skip


@pytest.mark.django_db
def test_an_emergency_exception_awaits_its_report_afterwards(
    mito: Any, sato: Any, gicho: Any
) -> None:
    request = file(mito, sato, "exception.request", context={"emergency": True},
                   reason=BACKGROUND["background"])  # fmt: skip
    assert request.state == RequestState.PERMITTED  # 002 8-4(2)
    # Filing opened the exception book's entry, its 経緯 the reason, awaiting the 事後報告.
    entry = RecordEntry.objects.get(request=request)
    assert entry.book == "exception-documents"
    assert entry.fields == BACKGROUND
    assert entry.recorded_by == sato
    assert entry.awaits == Awaiting.REPORT
    assert entry.is_open
    assert Awaiting(entry.awaits).label == "要事後報告"
    # A further document of the same exception does not await a second report.
    more = record_exception(mito, actor=sato.user, request=request, recorded_by=sato,
                            fields={"background": "追加の資料"})  # fmt: skip
    assert more.awaits == Awaiting.NOTHING
    # 8-4(2): 事後速やかにCISOに報告 — the CISO records receiving it, nobody else.
    with pytest.raises(PermissionDenied, match="最高情報セキュリティ責任者"):
        report_exception_afterwards(entry, actor=sato.user)
    reported = report_exception_afterwards(entry, actor=gicho.user)
    assert reported.closed_by == gicho
    assert not reported.is_open
    with pytest.raises(ValidationError, match="既に記録されています"):
        report_exception_afterwards(entry, actor=gicho.user)
    assert actions(mito, entry) == ["open_emergency_report", "report_exception_afterwards"]


@pytest.mark.django_db
def test_an_approved_exception_is_kept_and_reviewed_by_the_ciso(
    mito: Any, sato: Any, suzuki: Any, gicho: Any
) -> None:
    request = file(mito, sato, "exception.request")
    with pytest.raises(ValidationError, match="承認または許可されていない申請"):
        record_exception(mito, actor=SETUP, request=request, recorded_by=sato, fields=BACKGROUND)
    request = approve(request, gicho)
    entry = record_exception(mito, actor=sato.user, request=request, recorded_by=sato,
                             fields=BACKGROUND)  # fmt: skip
    assert entry.awaits == Awaiting.NOTHING
    with pytest.raises(ValidationError, match="「要事後報告」の手続はありません"):
        report_exception_afterwards(entry, actor=gicho.user)
    # 002 8-4(3): CISO は……定期的にその状況を確認しなければならない
    with pytest.raises(PermissionDenied, match="最高情報セキュリティ責任者"):
        review_exception(entry, actor=sato.user, reviewer=sato, note="確認した")
    with pytest.raises(ValidationError, match="規程が定める者（最高情報セキュリティ責任者）"):
        review_exception(entry, actor=gicho.user, reviewer=sato, note="確認した")
    review = review_exception(
        entry, actor=gicho.user, reviewer=gicho, note="継続の必要性を確認した"
    )
    assert review.book == EXCEPTION_REVIEW
    assert review.about == entry
    assert review.recorded_by == gicho
    assert review.fields == {"note": "継続の必要性を確認した"}
    assert list(entry.followups.all()) == [review]
    assert actions(mito, review) == ["review_exception"]
    with pytest.raises(ValidationError, match="確認の結果"):
        review_exception(entry, actor=gicho.user, reviewer=gicho, note=" ")
    with pytest.raises(ValidationError, match="例外措置の記録ではありません"):
        review_exception(review, actor=gicho.user, reviewer=gicho, note="x")
    with pytest.raises(ValidationError, match="対象の例外措置の記録から"):
        record_entry(mito, actor=SETUP, book=EXCEPTION_REVIEW, recorded_by=gicho,
                     fields={"note": "x"})  # fmt: skip


@pytest.mark.django_db
def test_only_exception_requests_enter_the_exception_register(
    mito: Any, sato: Any, suzuki: Any, take_out: Any
) -> None:
    with pytest.raises(ValidationError, match="例外措置の申請ではありません"):
        record_exception(mito, actor=SETUP, request=take_out, recorded_by=sato, fields=BACKGROUND)
    assert not ChangeRecord.objects.filter(action="record_entry").exists()
