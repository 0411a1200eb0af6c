"""Two people recording the same return at once: one return is recorded (PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from kitei.assets.services import register_asset
from kitei.core.models import ChangeRecord
from kitei.core.services import verify_audit_chain
from kitei.people.services import create_department
from kitei.records.books import TAKE_OUT
from kitei.records.models import RecordEntry
from kitei.records.services import record_entry, record_return
from tests.conftest import SETUP

from ..conftest import approve_as, file_request_as, make_org, make_person

pytestmark = pytest.mark.django_db(transaction=True)

WAITING = """
    SELECT count(*) FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE %s
"""


def _wait_until_blocked(count: int) -> None:
    """Poll until `count` sessions wait on the entry row (a guard, not a timer)."""
    pause = threading.Event()
    for _ in range(2000):
        with connection.cursor() as cursor:
            cursor.execute(WAITING, ['UPDATE "records_recordentry"%'])
            if cursor.fetchone()[0] >= count:
                return
        pause.wait(0.01)
    pytest.fail(f"{count} returns never queued on the entry's row")


def test_two_returns_of_one_take_out_at_once_record_one() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself (BEGIN IMMEDIATE); the row lock is PG's")
    mito = make_org()
    somu = create_department(mito, actor=SETUP, name="総務課")
    suzuki = make_person(mito, "suzuki", "鈴木 花子", roles=("members_and_staff",), department=somu)
    sato = make_person(
        mito, "sato", "佐藤 一郎", roles=("information_security_manager",), department=somu
    )
    usb = register_asset(
        mito, actor=SETUP, name="USBメモリ", department=somu, form="medium",
        classification={"機密性": "2", "完全性": "2", "可用性": "2"},
    )  # fmt: skip
    # 002 6-1(1)ウ(イ): the take-out is recorded from its approved request
    request = approve_as(file_request_as(mito, suzuki, "asset.take_out", asset=usb), sato)
    entry = record_entry(
        mito,
        actor=SETUP,
        book=TAKE_OUT,
        recorded_by=suzuki,
        fields={"destination": "現場", "taken_at": "2026-11-01"},
        request=request,
        due_on=date(2026, 11, 2),
    )
    release, held = threading.Event(), threading.Event()
    outcomes: dict[str, Any] = {}

    def hold_the_row() -> None:
        try:
            with transaction.atomic():
                RecordEntry.objects.select_for_update().get(pk=entry.pk)
                held.set()
                release.wait()
        finally:
            connection.close()

    def act(name: str, person: Any) -> None:
        try:
            record_return(RecordEntry.objects.get(pk=entry.pk), actor=SETUP, returned_by=person)
            outcomes[name] = "returned"
        except ValidationError as exc:
            outcomes[name] = exc.messages[0]
        except BaseException as exc:  # reported by the test thread
            outcomes[name] = exc
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    held.wait()
    returners = [
        threading.Thread(target=act, args=("suzuki", suzuki)),
        threading.Thread(target=act, args=("sato", sato)),
    ]
    for thread in returners:
        thread.start()
    _wait_until_blocked(2)
    release.set()
    for thread in [holder, *returners]:
        thread.join()
    assert sorted(map(str, outcomes.values())) == [
        "returned",
        "この記録の「返却待ち」は既に記録されています。",
    ]
    assert ChangeRecord.objects.filter(action="record_return").count() == 1
    assert RecordEntry.objects.get(pk=entry.pk).closed_by is not None
    assert verify_audit_chain(mito).ok
