"""At once, on PostgreSQL: two approvers cannot both complete a step; two filings never
share a number (row locks)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from kitei.approvals.models import Approval, Request, RequestState
from kitei.core import numbering
from kitei.core.models import NumberCounter
from kitei.core.services import verify_audit_chain

from ..conftest import make_org, make_person
from .conftest import actions_of, approve, file

pytestmark = pytest.mark.django_db(transaction=True)

WAITING_FOR_LOCKS = """
    SELECT count(*) FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
"""


def _wait_until_blocked(threads: list[threading.Thread]) -> bool:
    """Poll until every thread waits on the request row's lock (a guard, not a timer).

    False when some thread ended instead (it failed before reaching the lock).
    """
    pause = threading.Event()
    for _ in range(6000):  # about a minute: only a broken lock would take that long
        if not all(t.is_alive() for t in threads):
            return False
        with connection.cursor() as cursor:
            cursor.execute(WAITING_FOR_LOCKS)
            if cursor.fetchone()[0] >= len(threads):
                return True
        pause.wait(0.01)
    return False


def test_two_approvers_of_an_any_of_step_cannot_both_complete_it() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself (BEGIN IMMEDIATE); the row lock is PG's")
    toyama = make_org("toyama", "toyama-kankoji-kumiai", "富山市管工事協同組合")
    applicant = make_person(toyama, "yamada", "山田 三郎", roles=("union_members",))
    chief = make_person(toyama, "tokatsu", "統括 五郎", roles=("chief_information_manager",))
    assistant = make_person(
        toyama, "hosa", "補佐 四郎", roles=("assistant_chief_information_manager",)
    )
    # 8(1): any_of 統括情報管理者 / 補佐 — either one's approval completes the step.
    request = file(toyama, applicant, "account.suspend_violator")
    release, held = threading.Event(), threading.Event()
    outcomes: dict[str, Any] = {}

    def hold_the_row() -> None:
        try:
            with transaction.atomic():
                Request.objects.select_for_update().get(pk=request.pk)
                held.set()
                release.wait()
        finally:
            connection.close()

    def act(name: str, person: Any) -> None:
        try:
            approve(Request.objects.get(pk=request.pk), person)
            outcomes[name] = "approved"
        except ValidationError as exc:
            outcomes[name] = exc.messages[0]
        except BaseException as exc:  # reported by the test thread
            outcomes[name] = exc
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    held.wait()
    approvers = [
        threading.Thread(target=act, args=("chief", chief)),
        threading.Thread(target=act, args=("assistant", assistant)),
    ]
    for thread in approvers:
        thread.start()
    try:
        # Both approvers have read nothing yet: they queue on the lock together.
        queued = _wait_until_blocked(approvers)
    finally:
        release.set()
        for thread in [holder, *approvers]:
            thread.join()
    assert queued, outcomes
    assert sorted(map(str, outcomes.values())) == [
        "approved",
        "この申請は「承認済み」のため、「承認」はできません。",
    ]
    assert Request.objects.get(pk=request.pk).state == RequestState.APPROVED
    assert Approval.objects.filter(step__request=request).count() == 1
    assert sorted(actions_of(toyama, request)) == [
        "approve_request",
        "file_request",
        "refused_approval",
    ]
    assert verify_audit_chain(toyama).ok


def test_two_filings_at_once_never_share_a_number() -> None:
    """The counter row is locked while a number is taken (SELECT … FOR UPDATE)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself (BEGIN IMMEDIATE); the row lock is PG's")
    toyama = make_org("toyama", "toyama-kankoji-kumiai", "富山市管工事協同組合")
    make_person(toyama, "tokatsu", "統括 五郎", roles=("chief_information_manager",))
    first = make_person(toyama, "yamada", "山田 三郎", roles=("union_members",))
    second = make_person(toyama, "kawada", "川田 六郎", roles=("union_members",))
    year = numbering.fiscal_year(timezone.localdate())
    counter = NumberCounter.objects.create(
        organization=toyama, kind=numbering.REQUEST, fiscal_year=year
    )
    release, held = threading.Event(), threading.Event()
    outcomes: dict[str, Any] = {}

    def hold_the_counter() -> None:
        try:
            with transaction.atomic():
                NumberCounter.objects.select_for_update().get(pk=counter.pk)
                held.set()
                release.wait()
        finally:
            connection.close()

    def act(name: str, person: Any) -> None:
        try:
            outcomes[name] = file(toyama, person, "account.suspend_violator").number
        except BaseException as exc:  # reported by the test thread
            outcomes[name] = exc
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_counter)
    holder.start()
    held.wait()
    filers = [
        threading.Thread(target=act, args=("yamada", first)),
        threading.Thread(target=act, args=("kawada", second)),
    ]
    for thread in filers:
        thread.start()
    try:
        queued = _wait_until_blocked(filers)
    finally:
        release.set()
        for thread in [holder, *filers]:
            thread.join()
    assert queued, outcomes
    era = numbering.era_year(year)
    assert sorted(map(str, outcomes.values())) == [f"{era}-0001", f"{era}-0002"]
    assert NumberCounter.objects.get(pk=counter.pk).last == 2
    assert verify_audit_chain(toyama).ok
