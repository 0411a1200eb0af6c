"""Where approvals meets the policy and the audit trail, values are typed.

The stored decision is read back through `Request.stored_decision` (one reader); pages name
effects and modes through TextChoices that mirror the policy's enums; every move of a
request is a transition of `REQUEST_WORKFLOW` and its record names event and clause.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import translation

from kitei.approvals.choices import DecisionEffect, RequestEvent, RequestState, StepMode
from kitei.approvals.models import Request
from kitei.approvals.workflow import REQUEST_WORKFLOW
from kitei.core import access
from kitei.core.models import ChangeRecord
from kitei.policy import ApprovalMode, Effect, PackRef

from .conftest import approve, file

pytestmark = pytest.mark.django_db


def test_page_choices_mirror_the_policy_enums() -> None:
    with translation.override("ja"):
        assert [(c.value, str(c.label)) for c in DecisionEffect] == [
            (e.value, e.label) for e in Effect
        ]
        assert [(c.value, str(c.label)) for c in StepMode] == [
            (m.value, m.label) for m in ApprovalMode
        ]


def test_the_stored_decision_reads_back_as_the_engines(
    mito: Any, suzuki: Any, minutes: Any
) -> None:
    request = file(mito, suzuki, "asset.take_out", asset=minutes)
    stored = Request.objects.get(pk=request.pk).stored_decision
    again = access.decide(mito, request.request_data)
    assert stored == again
    assert stored.effect is Effect.APPROVAL_REQUIRED
    assert stored.pack == PackRef(
        id=mito.pack_id, version=mito.pack_version, digest=mito.pack_digest
    )
    assert stored.pack.digest == request.pack_digest
    assert stored.approvals[0].mode is ApprovalMode.ALL_OF
    assert [r.clause for r in stored.reasons] == ["6-1(1)ウ(イ)", "6-1(1)イ"]


def test_the_stored_decision_follows_its_column(mito: Any, suzuki: Any, minutes: Any) -> None:
    request = file(mito, suzuki, "asset.take_out", asset=minutes)
    assert request.stored_decision.effect is Effect.APPROVAL_REQUIRED
    request.decision = dict(request.decision, effect="permit")
    assert request.stored_decision.effect is Effect.PERMIT


def test_only_final_states_have_no_way_out() -> None:
    final = {s for s in RequestState if not REQUEST_WORKFLOW.events_from(s)}
    assert final == {RequestState.REJECTED, RequestState.WITHDRAWN, RequestState.COMPLETED}


def test_each_verdict_is_a_recorded_transition(
    mito: Any, suzuki: Any, kobayashi: Any, gicho: Any, council_system: Any
) -> None:
    """Two steps: the first approval keeps the request waiting, the last approves it."""
    request = file(mito, suzuki, "system.delegate_admin", system=council_system)
    request = approve(request, kobayashi)
    assert request.state == RequestState.PENDING
    request = approve(request, gicho)
    assert request.state == RequestState.APPROVED
    records = ChangeRecord.objects.filter(
        organization=mito, object_type="approvals.request", action="approve_request"
    ).order_by("seq")
    afters = [json.loads(r.after) for r in records]
    assert [(a["event"], a["state"], a["step"]) for a in afters] == [
        (RequestEvent.APPROVE_STEP, "pending", 1),
        (RequestEvent.APPROVE, "approved", 2),
    ]
    transition = REQUEST_WORKFLOW.get(RequestState.PENDING, RequestEvent.APPROVE)
    assert transition is not None
    assert transition.permission is None  # the route decides, checked by the service
    assert all(a["clause"] == transition.clause for a in afters)
    assert [json.loads(r.before) for r in records] == [{"state": "pending"}] * 2
