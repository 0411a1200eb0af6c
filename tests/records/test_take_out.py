"""Take-outs and their return: expected and actual return, the request completed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kitei.approvals.models import RequestState
from kitei.core.models import ChangeRecord
from kitei.records.books import TAKE_OUT
from kitei.records.models import Awaiting, RecordEntry
from kitei.records.services import complete_disposal, record_entry, record_return
from tests.conftest import SETUP, first_number

from ..conftest import make_org, make_person
from .conftest import actions, file

OUT = {"destination": "市民会館", "taken_at": "2026-11-20T09:00"}


def _record(org: Any, request: Any, by: Any, due: date | None = None, **fields: Any) -> Any:
    return record_entry(
        org,
        actor=by.user,
        book=TAKE_OUT,
        recorded_by=by,
        fields={**OUT, **fields},
        request=request,
        due_on=due or timezone.localdate() + timedelta(days=3),
    )


@pytest.mark.django_db
def test_a_take_out_from_filing_to_return(
    mito: Any, sato: Any, suzuki: Any, take_out: Any, laptop: Any
) -> None:
    assert take_out.state == RequestState.APPROVED
    entry = _record(mito, take_out, suzuki)
    # the item and purpose come from the request when not given
    assert entry.fields["item"] == laptop.name
    assert entry.fields["purpose"] == take_out.purpose == "会議資料の説明"
    assert entry.fields["destination"] == "市民会館"  # given, so kept
    assert entry.awaits == Awaiting.RETURN
    assert entry.is_open
    assert entry.person == suzuki  # the borrower, reminded when overdue
    returned = record_return(entry, actor=sato.user, returned_by=suzuki)
    assert returned.closed_by == suzuki
    assert returned.closed_at is not None
    assert not returned.is_open
    take_out.refresh_from_db()
    assert take_out.state == RequestState.COMPLETED
    assert actions(mito, entry) == ["record_entry", "record_return"]
    assert actions(mito, take_out)[-1] == "complete_request"


@pytest.mark.django_db
def test_a_return_is_recorded_once(mito: Any, sato: Any, suzuki: Any, take_out: Any) -> None:
    entry = _record(mito, take_out, suzuki)
    record_return(entry, actor=sato.user, returned_by=suzuki)
    first = entry.closed_at
    with pytest.raises(ValidationError, match="既に記録されています"):
        record_return(entry, actor=sato.user, returned_by=sato)
    entry.refresh_from_db()
    assert entry.closed_at == first
    assert entry.closed_by == suzuki
    assert actions(mito, entry) == ["record_entry", "record_return"]


@pytest.mark.django_db
def test_take_out_needs_an_allowed_request_of_its_own(
    mito: Any, sato: Any, suzuki: Any, laptop: Any
) -> None:
    pending = file(mito, suzuki, "asset.take_out", asset=laptop)
    assert pending.state == RequestState.PENDING
    with pytest.raises(ValidationError, match="承認または許可されていない申請"):
        _record(mito, pending, suzuki)
    dispose = file(mito, suzuki, "asset.dispose", asset=laptop)
    with pytest.raises(
        ValidationError, match="記録簿「持出記録（返却管理）」に記録するものではありません"
    ):
        _record(mito, dispose, suzuki)
    assert not RecordEntry.objects.exists()


@pytest.mark.django_db
def test_the_entry_is_filled_from_the_approved_request(
    mito: Any, sato: Any, suzuki: Any, take_out: Any, laptop: Any
) -> None:
    """What the approver saw is what the book records: nothing typed again."""
    entry = record_entry(
        mito, actor=suzuki.user, book=TAKE_OUT, recorded_by=suzuki, fields={}, request=take_out
    )
    planned = timezone.localtime(take_out.planned_take_out_at)
    assert entry.fields == {
        "item": laptop.name,
        "destination": take_out.destination,
        "purpose": take_out.purpose,
        "taken_at": planned.isoformat(timespec="minutes"),
    }
    assert entry.due_on == take_out.planned_return_on
    assert entry.number == first_number()
    assert entry.person == suzuki


@pytest.mark.django_db
def test_a_return_before_the_take_out_is_refused(
    mito: Any, sato: Any, suzuki: Any, take_out: Any
) -> None:
    with pytest.raises(
        ValidationError,
        match=r"返却予定日（2026-11-19）が持出予定日時（2026-11-20 09:00）より前です",
    ):
        _record(mito, take_out, suzuki, due=date(2026, 11, 19))
    assert not RecordEntry.objects.exists()
    same_day = _record(mito, take_out, suzuki, due=date(2026, 11, 20))  # back the same day
    assert same_day.due_on == date(2026, 11, 20)


@pytest.mark.django_db
def test_one_approved_take_out_is_recorded_once(
    mito: Any, sato: Any, suzuki: Any, take_out: Any
) -> None:
    first = _record(mito, take_out, suzuki)
    with pytest.raises(ValidationError, match=f"既に記録されています（記録番号 {first.number}）"):
        _record(mito, take_out, suzuki)
    fixed = record_entry(
        mito,
        actor=SETUP,
        book=TAKE_OUT,
        recorded_by=suzuki,
        fields={**OUT, "destination": "市民会館ホール"},
        request=take_out,
        due_on=first.due_on,
        corrects=first,
    )
    assert fixed.corrects == first
    assert RecordEntry.objects.count() == 2


@pytest.mark.django_db
def test_a_take_out_without_its_request_is_refused_where_the_pack_requires_approval(
    mito: Any, toyama: Any, suzuki: Any, yamada: Any
) -> None:
    # 002 6-1(1)ウ(イ): every take-out needs the 情報セキュリティ管理者's permission
    with pytest.raises(ValidationError, match=r"承認された申請と結び付けて記録.*6-1\(1\)ウ\(イ\)"):
        record_entry(
            mito,
            actor=SETUP,
            book=TAKE_OUT,
            recorded_by=suzuki,
            fields={**OUT, "item": "USBメモリ", "purpose": "会議"},
            due_on=date(2026, 12, 1),
        )
    # 003 2(2)ア: important assets only — an entry naming no asset cannot tell, so it needs
    # the request (which names the asset and its class)
    with pytest.raises(ValidationError, match=r"承認された申請と結び付けて記録.*2\(2\)ア"):
        record_entry(
            toyama,
            actor=SETUP,
            book=TAKE_OUT,
            recorded_by=yamada,
            fields={**OUT, "item": "図面", "purpose": "現場"},
            due_on=date(2026, 12, 1),
        )
    assert not RecordEntry.objects.exists()
    assert not ChangeRecord.objects.filter(action="record_entry").exists()


@pytest.mark.django_db
def test_returns_are_refused_where_they_do_not_belong(
    mito: Any, sato: Any, suzuki: Any, *, yamada: Any, take_out: Any
) -> None:
    entry = _record(mito, take_out, suzuki)
    with pytest.raises(ValidationError, match="返却者がこの組織の職員ではありません"):
        record_return(entry, actor=SETUP, returned_by=yamada)
    with pytest.raises(ValidationError, match="未来の日時は記録できません"):
        record_return(
            entry, actor=SETUP, returned_by=suzuki, returned_at=timezone.now() + timedelta(days=1)
        )
    with pytest.raises(ValidationError, match="「処理待ち」の手続はありません"):
        complete_disposal(entry, actor=SETUP, done_by=sato, processing="裁断")
    fault = record_entry(
        mito,
        actor=SETUP,
        book="fault-record",
        recorded_by=sato,
        fields={"fault_report": "a", "handling_result": "b", "issues": "c"},
    )
    with pytest.raises(ValidationError, match="「返却待ち」の手続はありません"):
        record_return(fault, actor=SETUP, returned_by=suzuki)
    assert entry.closed_at is None


@pytest.mark.django_db
def test_a_corrected_take_out_is_returned_on_its_correction(
    mito: Any, sato: Any, suzuki: Any, take_out: Any
) -> None:
    entry = _record(mito, take_out, suzuki, destination="市役所")
    fixed = record_entry(
        mito,
        actor=SETUP,
        book=TAKE_OUT,
        recorded_by=suzuki,
        fields={**OUT, "destination": "市民会館"},
        request=take_out,
        due_on=entry.due_on,
        corrects=entry,
    )
    with pytest.raises(ValidationError, match="訂正後の記録に記録してください"):
        record_return(entry, actor=SETUP, returned_by=suzuki)
    earlier = timezone.now() - timedelta(hours=1)
    record_return(fixed, actor=SETUP, returned_by=suzuki, returned_at=earlier)
    assert fixed.closed_at == earlier
    # a correction of a returned take-out stays returned
    again = record_entry(
        mito,
        actor=SETUP,
        book=TAKE_OUT,
        recorded_by=suzuki,
        fields={**OUT, "destination": "市民会館ホール"},
        request=take_out,
        due_on=entry.due_on,
        corrects=fixed,
    )
    assert again.closed_at == earlier
    assert not again.is_open


@pytest.mark.django_db
def test_a_take_out_without_request_is_the_recorders_where_the_pack_is_silent() -> None:
    """蒲郡市's 基本方針 says nothing about take-outs: kitei's book records them as given."""
    gamagori = make_org("gamagori", "gamagori-city", "蒲郡市")
    clerk = make_person(gamagori, "clerk", "職員 一郎")
    with pytest.raises(ValidationError, match="返却予定日を入力してください"):
        record_entry(
            gamagori,
            actor=SETUP,
            book=TAKE_OUT,
            recorded_by=clerk,
            fields={**OUT, "item": "USBメモリ", "purpose": "会議資料"},
        )
    entry = record_entry(
        gamagori,
        actor=SETUP,
        book=TAKE_OUT,
        recorded_by=clerk,
        fields={**OUT, "item": "USBメモリ", "purpose": "会議資料"},
        due_on=date(2026, 12, 1),
    )
    assert entry.person == clerk
    assert entry.due_on == date(2026, 12, 1)
    record_return(entry, actor=SETUP, returned_by=clerk)
    assert entry.request is None
    assert not entry.is_open
