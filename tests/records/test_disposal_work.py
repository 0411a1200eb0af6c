"""The disposal record filled when the disposal is done; work confirmed by a second person."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kitei.approvals.models import RequestState
from kitei.core.models import ChangeRecord
from kitei.people.services import assign_role, create_department
from kitei.records.models import Awaiting
from kitei.records.services import complete_disposal, confirm_work, record_entry
from kitei.systems.services import register_system
from tests.conftest import SETUP

from ..conftest import make_person
from .conftest import actions, approve, file


@pytest.mark.django_db
def test_a_disposal_entry_is_filled_when_the_disposal_is_done(
    mito: Any, sato: Any, suzuki: Any, laptop: Any
) -> None:
    request = approve(file(mito, suzuki, "asset.dispose", asset=laptop), sato)
    assert request.state == RequestState.APPROVED
    entry = record_entry(
        mito,
        actor=sato.user,
        book="disposal-record",
        recorded_by=suzuki,
        fields={},
        request=request,
    )
    assert entry.awaits == Awaiting.DISPOSAL
    assert entry.is_open
    assert entry.fields == {"datetime": "", "person_in_charge": "", "processing": ""}
    done = complete_disposal(
        entry, actor=suzuki.user, done_by=suzuki, processing="物理破壊のうえ廃棄"
    )
    # 002 3(2)コ(イ): 日時、担当者の氏名及び処理内容
    assert done.fields["person_in_charge"] == "鈴木 花子"
    assert done.fields["processing"] == "物理破壊のうえ廃棄"
    assert done.closed_at is not None
    assert done.fields["datetime"] == timezone.localtime(done.closed_at).isoformat("T", "minutes")
    assert done.closed_by == suzuki
    assert not done.is_open
    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED
    assert actions(mito, entry) == ["record_entry", "complete_disposal"]
    record = ChangeRecord.objects.get(action="complete_disposal")
    assert '"processing":"物理破壊のうえ廃棄"' in record.after
    assert '"processing":""' in record.before
    with pytest.raises(ValidationError, match="既に記録されています"):
        complete_disposal(entry, actor=SETUP, done_by=sato, processing="再度")


@pytest.mark.django_db
def test_a_disposal_is_recorded_whole_or_opened_empty(mito: Any, sato: Any, suzuki: Any) -> None:
    with pytest.raises(ValidationError, match="次の項目を入力してください：担当者の氏名、処理内容"):
        record_entry(
            mito,
            actor=SETUP,
            book="disposal-record",
            recorded_by=sato,
            fields={"datetime": "2026-11-20T10:00"},
        )
    whole = record_entry(
        mito,
        actor=SETUP,
        book="disposal-record",
        recorded_by=sato,
        fields={
            "datetime": "2026-11-20T10:00",
            "person_in_charge": "佐藤 一郎",
            "processing": "溶解",
        },
    )
    assert whole.awaits == Awaiting.NOTHING
    with pytest.raises(ValidationError, match="「処理待ち」の手続はありません"):
        complete_disposal(whole, actor=SETUP, done_by=suzuki, processing="溶解")
    opened = record_entry(mito, actor=SETUP, book="disposal-record", recorded_by=sato, fields={})
    with pytest.raises(ValidationError, match="処理内容"):
        complete_disposal(opened, actor=SETUP, done_by=suzuki, processing="  ")


@pytest.mark.django_db
def test_toyama_records_media_disposal(toyama: Any, yamada: Any) -> None:
    entry = record_entry(toyama, actor=SETUP, book="media-disposal", recorded_by=yamada, fields={})
    done = complete_disposal(entry, actor=SETUP, done_by=yamada, processing="破砕")
    assert done.fields["person_in_charge"] == "山田 三郎"
    assert done.fields["processing"] == "破砕"


@pytest.mark.django_db
def test_system_change_work_is_confirmed_by_a_second_person(
    mito: Any, sato: Any, suzuki: Any
) -> None:
    entry = record_entry(
        mito,
        actor=suzuki.user,
        book="change-work-record",
        recorded_by=suzuki,
        fields={"work_content": "ファイアウォール設定の変更"},
    )
    assert entry.awaits == Awaiting.CONFIRMATION
    assert entry.is_open
    with pytest.raises(ValidationError, match="作業を記録した者とは別の者"):
        confirm_work(entry, actor=suzuki.user, confirmer=suzuki)
    entry.refresh_from_db()
    assert entry.closed_at is None
    confirmed = confirm_work(entry, actor=sato.user, confirmer=sato)
    assert confirmed.closed_by == sato
    assert confirmed.closed_at is not None
    with pytest.raises(ValidationError, match="既に記録されています"):
        confirm_work(entry, actor=sato.user, confirmer=sato)
    assert actions(mito, entry) == ["record_entry", "confirm_work"]


@pytest.mark.django_db
def test_only_work_books_take_a_confirmation_from_the_organisation(
    mito: Any, toyama: Any, sato: Any, suzuki: Any, yamada: Any
) -> None:
    fault = record_entry(
        mito,
        actor=SETUP,
        book="fault-record",
        recorded_by=suzuki,
        fields={"fault_report": "a", "handling_result": "b", "issues": "c"},
    )
    with pytest.raises(ValidationError, match="「確認待ち」の手続はありません"):
        confirm_work(fault, actor=SETUP, confirmer=sato)
    work = record_entry(
        mito,
        actor=SETUP,
        book="change-work-record",
        recorded_by=suzuki,
        fields={"work_content": "x"},
    )
    with pytest.raises(ValidationError, match="確認者がこの組織の職員ではありません"):
        confirm_work(work, actor=SETUP, confirmer=yamada)


@pytest.mark.django_db
def test_a_system_change_request_completes_when_its_work_is_confirmed(
    mito: Any, sato: Any, suzuki: Any, somu: Any
) -> None:
    system = register_system(mito, actor=SETUP, name="人事システム", department=somu)
    worker = make_person(mito, "kudo", "工藤 八郎", department=somu)
    assign_role(mito, actor=SETUP, person=worker, role_id="information_system_manager",
                system=system)  # fmt: skip
    request = file(mito, worker, "system.change", system=system)
    assert request.state == RequestState.PERMITTED  # 002 7-1(4)イ: recorded, not approved
    entry = record_entry(
        mito,
        actor=SETUP,
        book="change-work-record",
        recorded_by=worker,
        fields={"work_content": "パッチ適用"},
        request=request,
    )
    assert entry.awaits == Awaiting.CONFIRMATION  # 7-1(4)ウ: 情報システム管理者 … 2名以上
    confirm_work(entry, actor=SETUP, confirmer=sato)
    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED


@pytest.mark.django_db
def test_the_officers_own_change_needs_no_second_person(mito: Any, sato: Any) -> None:
    """7-1(4)ウ names the system manager, operator and contractor, not the officer (2(2)ウ)."""
    jinji = create_department(mito, actor=SETUP, name="人事課")
    officer = make_person(mito, "kudo", "工藤 八郎", roles=("information_security_officer",),
                          department=jinji)  # fmt: skip
    request = file(mito, officer, "system.change")
    assert request.state == RequestState.PERMITTED
    assert request.decision["constraints"] == []
    entry = record_entry(
        mito,
        actor=SETUP,
        book="change-work-record",
        recorded_by=officer,
        fields={"work_content": "設定変更"},
        request=request,
    )
    assert entry.awaits == Awaiting.NOTHING
    with pytest.raises(ValidationError, match="「確認待ち」の手続はありません"):
        confirm_work(entry, actor=SETUP, confirmer=sato)
