"""The shared workflow helper: one transition table, one `move` that refuses, checks, records.

Exercised on requests (申請), the first model that moves on it: a permitted request of mito
(`equipment.procure`) waits to be completed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import models

from kitei.approvals.choices import RequestAuditAction, RequestEvent, RequestState
from kitei.approvals.models import Request
from kitei.approvals.workflow import REQUEST_WORKFLOW
from kitei.assets.services import register_asset
from kitei.core import access, workflow
from kitei.core.models import ChangeRecord
from kitei.core.services import verify_audit_chain
from kitei.core.workflow import Transition, TransitionRefused, TransitionTable
from tests.conftest import SETUP, file_request_as

pytestmark = pytest.mark.django_db

CLAUSE = "監査を行う者だけが完了にできる（試験用の表）"


def _audited_completion() -> TransitionTable:
    """A table in which completing needs `audit.read` (which staff do not have)."""
    return TransitionTable(
        states=RequestState,
        events=RequestEvent,
        transitions={
            (RequestState.PERMITTED, RequestEvent.COMPLETE): Transition(
                next_state=RequestState.COMPLETED,
                permission="audit.read",
                clause=CLAUSE,
                action=RequestAuditAction.COMPLETE_REQUEST,
            )
        },
    )


@pytest.fixture
def permitted(mito: Any, suzuki: Any) -> Request:
    request = file_request_as(mito, suzuki, "equipment.procure")
    assert request.state == RequestState.PERMITTED
    return request


@pytest.fixture
def minutes(mito: Any, somu: Any) -> Any:
    """会議録の写し of 総務課: taking it out needs the 情報セキュリティ管理者's approval."""
    return register_asset(
        mito,
        actor=SETUP,
        name="会議録の写し",
        department=somu,
        form="paper",
        classification={"機密性": "1", "完全性": "1", "可用性": "1"},
    )


def _records(org: Any) -> int:
    return ChangeRecord.objects.filter(organization=org).count()


def test_a_good_move_saves_the_state_and_writes_one_typed_record(
    mito: Any, permitted: Request
) -> None:
    before = _records(mito)
    record = workflow.move(permitted, RequestEvent.COMPLETE, actor=SETUP, table=REQUEST_WORKFLOW)
    assert _records(mito) == before + 1
    assert Request.objects.get(pk=permitted.pk).state == RequestState.COMPLETED
    stored = ChangeRecord.objects.get(pk=record.pk)
    assert stored.action == RequestAuditAction.COMPLETE_REQUEST == "complete_request"
    assert stored.action_label == "申請の完了"
    assert (stored.object_type, stored.object_id) == ("approvals.request", str(permitted.pk))
    assert json.loads(stored.before) == {"state": "permitted"}
    transition = REQUEST_WORKFLOW.get(RequestState.PERMITTED, RequestEvent.COMPLETE)
    assert transition is not None
    assert json.loads(stored.after) == {
        "state": "completed",
        "event": "complete",
        "clause": transition.clause,
    }
    assert verify_audit_chain(mito).ok


def test_a_move_not_in_the_table_is_refused_naming_state_and_event(
    mito: Any, permitted: Request
) -> None:
    before = _records(mito)
    with pytest.raises(TransitionRefused) as caught:
        workflow.move(permitted, RequestEvent.WITHDRAW, actor=SETUP, table=REQUEST_WORKFLOW)
    refused = "この申請は「許可（承認不要）」のため、「取下げ」はできません。"
    assert caught.value.messages == [refused]
    assert (caught.value.state, caught.value.event) == ("許可（承認不要）", "取下げ")
    assert permitted.state == RequestState.PERMITTED
    assert Request.objects.get(pk=permitted.pk).state == RequestState.PERMITTED
    assert _records(mito) == before


def test_a_final_state_allows_nothing(mito: Any, permitted: Request) -> None:
    workflow.move(permitted, RequestEvent.COMPLETE, actor=SETUP, table=REQUEST_WORKFLOW)
    with pytest.raises(TransitionRefused, match="「完了」のため、「完了」はできません"):
        workflow.move(permitted, RequestEvent.COMPLETE, actor=SETUP, table=REQUEST_WORKFLOW)


def test_a_move_without_the_permission_raises_refusal_and_writes_nothing(
    mito: Any, suzuki: Any, tanaka: Any, permitted: Request
) -> None:
    table = _audited_completion()
    before = _records(mito)
    with pytest.raises(access.Refusal) as caught:
        workflow.move(permitted, RequestEvent.COMPLETE, actor=suzuki.user, table=table)
    assert not caught.value.verdict.allowed
    assert caught.value.verdict.permission == "audit.read"
    assert permitted.state == RequestState.PERMITTED  # the instance is untouched too
    assert Request.objects.get(pk=permitted.pk).state == RequestState.PERMITTED
    assert _records(mito) == before
    # The auditor holds audit.read (mito 10-1(2)ア): the same move goes through.
    record = workflow.move(permitted, RequestEvent.COMPLETE, actor=tanaka.user, table=table)
    assert json.loads(record.after)["clause"] == CLAUSE
    assert record.actor_name == "tanaka"


def test_changes_are_saved_with_the_state_and_details_recorded(
    mito: Any, suzuki: Any, minutes: Any
) -> None:
    request = file_request_as(mito, suzuki, "asset.take_out", asset=minutes)
    assert request.state == RequestState.PENDING
    record = workflow.move(
        request,
        RequestEvent.WITHDRAW,
        actor=suzuki.user,
        table=REQUEST_WORKFLOW,
        changes={"decided_at": request.created_at},
        details={"why": "不要になった"},
    )
    stored = Request.objects.get(pk=request.pk)
    assert (stored.state, stored.decided_at) == (RequestState.WITHDRAWN, request.created_at)
    assert record.action == "withdraw_request"
    assert json.loads(record.after)["why"] == "不要になった"


def test_events_available_from_a_state(mito: Any, suzuki: Any, permitted: Request) -> None:
    assert REQUEST_WORKFLOW.events_from(RequestState.PENDING) == [
        RequestEvent.APPROVE_STEP,
        RequestEvent.APPROVE,
        RequestEvent.REJECT,
        RequestEvent.WITHDRAW,
    ]
    assert REQUEST_WORKFLOW.events_from(RequestState.PERMITTED) == [RequestEvent.COMPLETE]
    for final in (RequestState.REJECTED, RequestState.WITHDRAWN, RequestState.COMPLETED):
        assert REQUEST_WORKFLOW.events_from(final) == []
    table = _audited_completion()
    assert workflow.available_events(permitted, table=table) == [RequestEvent.COMPLETE]
    assert workflow.available_events(permitted, table=table, actor=suzuki.user) == []
    assert workflow.available_events(permitted, table=table, actor=SETUP) == [RequestEvent.COMPLETE]


class _Light(models.TextChoices):
    RED = "red", "赤"
    GREEN = "green", "青"


class _Switch(models.TextChoices):
    GO = "go", "進む"


def _table(state: str = "red", event: str = "go", **transition: Any) -> TransitionTable:
    given: dict[str, Any] = {
        "next_state": _Light.GREEN,
        "permission": None,
        "clause": "試験",
        "action": RequestAuditAction.APPROVE_REQUEST,
        **transition,
    }
    return TransitionTable(
        states=_Light, events=_Switch, transitions={(state, event): Transition(**given)}
    )


def test_a_table_is_checked_when_it_is_built() -> None:
    assert _table().allows("red", "go")
    assert not _table().allows("green", "go")
    with pytest.raises(ValueError, match="states must be members"):
        _table(state="blue")
    with pytest.raises(ValueError, match="states must be members"):
        _table(next_state="pending")
    with pytest.raises(ValueError, match="event must be a member"):
        _table(event="stop")
    with pytest.raises(ValueError, match="unknown permission"):
        _table(permission="assets.destroy")
    with pytest.raises(ValueError, match="not registered"):
        _table(action=_Light.RED)
    with pytest.raises(ValueError, match="names the clause"):
        _table(clause=" ")
