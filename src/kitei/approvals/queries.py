"""Reads of requests: a person's inbox and own requests, who decides now, and decision replay.

Every read is scoped to the person's organisation; the lists take a constant number of
queries whatever their length.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Prefetch, QuerySet

from kitei.approvals import routing
from kitei.approvals.choices import RequestEvent, RequestState
from kitei.approvals.models import Approval, ApprovalStep, Request
from kitei.approvals.workflow import REQUEST_WORKFLOW
from kitei.core import access
from kitei.people import entitlements
from kitei.people.models import Person
from kitei.policy.actions import CANONICAL_ACTIONS

# Open: a verdict can still be given (the transition table says where).
OPEN_STATES = tuple(s for s in RequestState if REQUEST_WORKFLOW.allows(s, RequestEvent.APPROVE))


def with_route(queryset: QuerySet[Request]) -> QuerySet[Request]:
    """Requests with their rows and their route (steps, approvals, approvers) loaded."""
    approvals = Approval.objects.select_related("approver", "acting_for").order_by("at", "pk")
    steps = ApprovalStep.objects.order_by("position").prefetch_related(
        Prefetch("approvals", queryset=approvals)
    )
    return queryset.select_related(
        "organization", "applicant", "asset", "system", "department"
    ).prefetch_related(Prefetch("steps", queryset=steps))


def _decides(
    person: Person,
    request: Request,
    step: ApprovalStep,
    scopes: dict[str, str],
    assignments: list[Any],
) -> bool:
    """Whether the person may give a verdict on the step now (approvals prefetched)."""
    verdicts = list(step.approvals.all())
    if any(a.approver_id == person.pk for a in verdicts):
        return False
    if request.applicant_id == person.pk and not routing.may_self_approve(request.stored_decision):
        return False
    decided = {a.role_id for a in verdicts}
    pending = [r for r in routing.step_role_ids(step) if r not in decided]
    target = routing.target_of(request)
    return bool(
        entitlements.step_entitlements(
            person, target, pending, scopes=scopes, assignments=assignments
        )
    )


def inbox_for(person: Person) -> QuerySet[Request]:
    """Requests of the person's organisation whose current step the person may decide now.

    Own roles and deputy assignments in their period count, each for its 課 or system; the
    applicant sees their own request only where the pack allows the override with a reason.
    """
    organization = person.organization
    scopes = entitlements.role_scopes(organization)
    assignments = access.assignments_of(person)
    open_steps = (
        ApprovalStep.objects.filter(
            request__organization=organization,
            request__state__in=OPEN_STATES,
            completed_at__isnull=True,
        )
        .select_related("request__system")
        .prefetch_related("approvals")
        .order_by("request_id", "position")
    )
    seen: set[int] = set()
    ids: list[int] = []
    for step in open_steps:
        if step.request_id in seen:
            continue  # a later step: the first incomplete one is the current step
        seen.add(step.request_id)
        if _decides(person, step.request, step, scopes, assignments):
            ids.append(step.request_id)
    return with_route(access.scoped(Request.objects.filter(pk__in=ids), organization)).order_by(
        "created_at", "pk"
    )


def requests_of(person: Person) -> QuerySet[Request]:
    """The requests the person filed, newest first."""
    mine = Request.objects.filter(applicant=person)
    return with_route(access.scoped(mine, person.organization)).order_by("-created_at", "-pk")


def may_decide(person: Person, request: Request) -> bool:
    """Whether the person may approve or reject the request now (for showing the buttons)."""
    if person.organization_id != request.organization_id or request.state not in OPEN_STATES:
        return False
    steps = list(request.steps.prefetch_related("approvals").order_by("position"))
    step = routing.current_step(steps)
    if step is None:
        return False
    scopes = entitlements.role_scopes(request.organization)
    return _decides(person, request, step, scopes, access.assignments_of(person))


def current_step(request: Request) -> ApprovalStep | None:
    """The step the request waits on (uses prefetched steps when present), or None."""
    if request.state not in OPEN_STATES:
        return None
    return routing.current_step(list(request.steps.all()))


def step_approvers(request: Request, step: ApprovalStep) -> list[Person]:
    """The people who may still decide `step` today: its undecided roles' holders.

    Those who already gave a verdict on the step are left out, and so is the applicant
    unless the pack lets them approve with a written reason (002 2(6)ア).
    """
    verdicts = list(step.approvals.all())
    decided = {a.role_id for a in verdicts}
    pending = [r for r in routing.step_role_ids(step) if r not in decided]
    people = entitlements.approvers_for(request.organization, routing.target_of(request), pending)
    excluded = {a.approver_id for a in verdicts}
    if not routing.may_self_approve(request.stored_decision):
        excluded.add(request.applicant_id)
    return [p for p in people if p.pk not in excluded]


def waiting_on(request: Request) -> list[Person]:
    """The people who may decide the request's current step today."""
    step = current_step(request)
    return [] if step is None else step_approvers(request, step)


def action_title(request: Request) -> str:
    """The Japanese title of the request's action (canonical or the pack's own `x.`)."""
    if request.action in CANONICAL_ACTIONS:
        return CANONICAL_ACTIONS[request.action]
    org = request.organization
    pack = access.engine_for(org.pack_id, org.pack_digest).pack
    titles = {a.id: a.title for a in pack.actions}
    return titles.get(request.action, request.action)


def replayed_decision(request: Request) -> dict[str, Any]:
    """The decision the pack version the request was decided with gives today, as JSON."""
    engine = access.engine_for(request.stored_decision.pack.id, request.pack_digest)
    return engine.decide(request.request_data).to_json()


def _canonical(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def replay_decision(request: Request) -> bool:
    """Whether re-deciding the stored input with the stored pack version gives the stored answer.

    The decision log (issue 5): an auditor replays any past decision against the exact
    pack bytes it was made with (core.PackVersion), whatever the organisation runs today.
    """
    return _canonical(replayed_decision(request)) == _canonical(request.decision)
