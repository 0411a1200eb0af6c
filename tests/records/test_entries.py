"""record_entry: validated against the pack's book, append-only, corrections, audit trail."""

from __future__ import annotations

import inspect
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kitei.core.models import ChangeRecord
from kitei.records import services
from kitei.records.models import Awaiting, RecordEntry
from kitei.records.services import record_entry
from tests.conftest import SETUP

from ..conftest import make_person
from .conftest import actions, recorded_take_out

FAULT = {"fault_report": "印刷できない", "handling_result": "ドライバ更新", "issues": "なし"}


@pytest.mark.django_db
def test_an_entry_keeps_the_books_fields_and_is_in_the_audit_trail(mito: Any, sato: Any) -> None:
    entry = record_entry(mito, actor=sato.user, book="fault-record", recorded_by=sato, fields=FAULT)
    assert entry.fields == FAULT
    assert entry.recorded_by == sato
    assert entry.awaits == Awaiting.NOTHING
    assert not entry.is_open
    record = ChangeRecord.objects.get(organization=mito, action="record_entry")
    assert record.object_id == str(entry.pk)
    assert record.actor == sato.user
    assert '"fault_report":"印刷できない"' in record.after
    assert '"recorded_by":"佐藤 一郎"' in record.after


@pytest.mark.django_db
def test_bad_entries_are_refused_in_japanese_and_nothing_is_written(
    mito: Any, toyama: Any, sato: Any, yamada: Any
) -> None:
    before = ChangeRecord.objects.count()
    with pytest.raises(
        ValidationError, match="記録簿「purchase-log」はこの組織のポリシーにありません"
    ):
        record_entry(mito, actor=SETUP, book="purchase-log", recorded_by=sato, fields={})
    with pytest.raises(
        ValidationError, match="次の項目を入力してください：システム障害に対する処理結果、問題等"
    ):
        record_entry(
            mito,
            actor=SETUP,
            book="fault-record",
            recorded_by=sato,
            fields={"fault_report": "印刷できない", "issues": "  "},
        )
    with pytest.raises(ValidationError, match="項目「color」はありません"):
        record_entry(
            mito,
            actor=SETUP,
            book="fault-record",
            recorded_by=sato,
            fields={**FAULT, "color": "赤"},
        )
    with pytest.raises(ValidationError, match="記録者がこの組織の職員ではありません"):
        record_entry(mito, actor=SETUP, book="fault-record", recorded_by=yamada, fields=FAULT)
    with pytest.raises(ValidationError, match="4000文字以内"):
        record_entry(
            mito,
            actor=SETUP,
            book="fault-record",
            recorded_by=sato,
            fields={**FAULT, "issues": "あ" * 4001},
        )
    # toyama's pack has no fault record book
    with pytest.raises(
        ValidationError, match="記録簿「fault-record」はこの組織のポリシーにありません"
    ):
        record_entry(toyama, actor=SETUP, book="fault-record", recorded_by=yamada, fields=FAULT)
    assert RecordEntry.objects.count() == 0
    assert ChangeRecord.objects.count() == before


@pytest.mark.django_db
def test_a_book_without_pack_fields_takes_kiteis_content_field(mito: Any, sato: Any) -> None:
    entry = record_entry(
        mito,
        actor=SETUP,
        book="work-record",
        recorded_by=sato,
        fields={"content": "定期バックアップ"},
    )
    assert entry.fields == {"content": "定期バックアップ"}
    with pytest.raises(ValidationError, match="記録内容"):
        record_entry(mito, actor=SETUP, book="work-record", recorded_by=sato, fields={})


@pytest.mark.django_db
def test_entries_are_append_only(mito: Any, sato: Any) -> None:
    entry = record_entry(mito, actor=SETUP, book="fault-record", recorded_by=sato, fields=FAULT)
    entry.fields = {**FAULT, "issues": "書き換え"}
    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()
    entry.refresh_from_db()
    assert entry.fields == FAULT
    # The services offer no way to change or remove an entry, only to append.
    names = [
        n for n, f in inspect.getmembers(services, inspect.isfunction) if not n.startswith("_")
    ]
    assert not [n for n in names if n.startswith(("update", "edit", "change", "delete", "remove"))]


@pytest.mark.django_db
def test_a_correction_is_a_new_entry_naming_the_one_it_corrects(mito: Any, sato: Any) -> None:
    wrong = record_entry(mito, actor=SETUP, book="fault-record", recorded_by=sato, fields=FAULT)
    fixed = record_entry(
        mito,
        actor=sato.user,
        book="fault-record",
        recorded_by=sato,
        fields={**FAULT, "issues": "トナー切れも判明"},
        corrects=wrong,
    )
    assert fixed.corrects == wrong
    wrong.refresh_from_db()
    assert wrong.fields == FAULT  # the corrected entry stays as it was
    with pytest.raises(ValidationError, match="既に訂正されています"):
        record_entry(
            mito, actor=SETUP, book="fault-record", recorded_by=sato, fields=FAULT, corrects=wrong
        )
    with pytest.raises(ValidationError, match="訂正する記録がこの記録簿にありません"):
        record_entry(
            mito,
            actor=SETUP,
            book="training-record",
            recorded_by=sato,
            fields={"implementation_status": "実施"},
            corrects=fixed,
        )
    assert actions(mito, fixed) == ["record_entry"]
    assert f'"corrects":{wrong.pk}' in ChangeRecord.objects.get(object_id=str(fixed.pk)).after


@pytest.mark.django_db
def test_entries_of_another_organisation_are_never_linked(
    mito: Any, toyama: Any, sato: Any, yamada: Any, *, take_out: Any, toyama_cast: Any
) -> None:
    other = make_person(toyama, "kimura", "木村 七郎")
    theirs = recorded_take_out(
        toyama, yamada, toyama_cast.chief, toyama_cast.drawings, due=date(2026, 11, 2)
    )
    with pytest.raises(ValidationError, match="申請がこの組織にありません"):
        record_entry(
            toyama,
            actor=SETUP,
            book="x.take-out",
            recorded_by=other,
            fields={"destination": "現場", "taken_at": "2026-11-01"},
            request=take_out,
            due_on=date(2026, 11, 2),
        )
    with pytest.raises(ValidationError, match="訂正する記録がこの記録簿にありません"):
        record_entry(
            mito, actor=SETUP, book="x.take-out", recorded_by=sato, fields={}, corrects=theirs
        )
