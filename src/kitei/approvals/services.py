"""State changes of requests (申請): filing, approving, rejecting, withdrawing, completing.

Everything the policy and the house rules demand is enforced here, whatever the caller (page,
API, CLI): the pack's decision routes the request; only the holders of a step's roles for the
request's 課 or system (or their deputies in period) decide it, one step after another; the
applicant never decides their own request unless the pack allows the 止むを得ない場合
override (002 2(6)ア) and a reason is written; every move goes through `core.workflow.move`
along `approvals.workflow.REQUEST_WORKFLOW`; the request row is locked while a step is
decided, so two approvers acting at once cannot both complete it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.approvals import extensions, notifications, routing, takeout
from kitei.approvals.choices import RequestAuditAction, RequestEvent, RequestState, Verdict
from kitei.approvals.models import Approval, ApprovalStep, Request
from kitei.approvals.workflow import REQUEST_WORKFLOW
from kitei.assets.models import Asset
from kitei.core import access, numbering, workflow
from kitei.core.models import Organization
from kitei.core.services import Actor, record_change
from kitei.people import entitlements
from kitei.people.models import Person
from kitei.policy import ApprovalMode, Decision, Effect, RequestError
from kitei.systems.models import System

STATE_OF_EFFECT = {
    Effect.APPROVAL_REQUIRED: RequestState.PENDING,
    Effect.PERMIT: RequestState.PERMITTED,
    Effect.UNDETERMINED: RequestState.GAP,
}


class RequestForbidden(ValidationError):  # noqa: N818 - the name the pages and API import
    """The pack forbids the action: nothing is filed; `decision` says why, citing the clause."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        forbidding = [r for r in decision.reasons if r.effect == Effect.FORBID]
        reasons = forbidding or list(decision.reasons)
        why = " ".join(f"{r.message}（{r.clause}）" for r in reasons)
        super().__init__(_("この操作は規程により禁止されています。") + why, code="forbidden")


class ObligationsUnconfirmed(ValidationError):  # noqa: N818 - named like RequestForbidden
    """An obligation of the decision (暗号化, 鍵付きケース …) is not confirmed: nothing filed."""

    def __init__(self, decision: Decision, missing: list[str]) -> None:
        self.decision = decision
        super().__init__(
            _("次の遵守事項を確認してください: %(items)s") % {"items": "／".join(missing)},
            code="obligations",
        )


def snapshot(request: Request) -> dict[str, Any]:
    """A request as recorded in the audit trail."""
    return {
        "number": request.number,
        "action": request.action,
        "applicant": request.applicant.name,
        "asset": request.asset.name if request.asset is not None else "",
        "system": request.system.name if request.system is not None else "",
        "department": request.department.name if request.department is not None else "",
        "reason": request.reason,
        **_take_out_snapshot(request),
        "context": request.context,
        "confirmed_obligations": request.confirmed_obligations,
        "effect": request.effect,
        "clauses": [r.clause for r in request.stored_decision.reasons],
        "pack_digest": request.pack_digest,
        "state": request.state,
        "overridden": request.overridden,
    }


def _take_out_snapshot(request: Request) -> dict[str, Any]:
    """A take-out's 持出先・目的・dates as the audit trail keeps them (nothing for others)."""
    if not takeout.is_take_out(request.action):
        return {}
    return {
        "destination": request.destination,
        "purpose": request.purpose,
        "planned_take_out_at": request.planned_take_out_at,
        "planned_return_on": request.planned_return_on,
    }


def _check_members(
    organization: Organization, applicant: Person, asset: Asset | None, system: System | None
) -> None:
    """The applicant, asset and system all belong to the organisation."""
    if applicant.organization_id != organization.pk:
        raise PermissionDenied(_("申請者がこの組織に属していません。"))
    for row, what in ((asset, _("情報資産")), (system, _("情報システム"))):
        if row is not None and row.organization_id != organization.pk:
            raise ValidationError(_("%(what)sがこの組織にありません。") % {"what": what})
    # Read from the database: the caller's row may predate the disposal.
    if asset is not None and Asset.objects.filter(pk=asset.pk, disposed_at__isnull=False).exists():
        raise ValidationError(
            _("「%(name)s」は廃棄済みです。廃棄済みの情報資産については申請できません。")
            % {"name": asset.name}
        )


def _decide(organization: Organization, data: Mapping[str, Any]) -> Decision:
    """The pack's decision, a request it cannot read refused in Japanese."""
    try:
        return access.decide(organization, data)
    except RequestError as exc:
        raise ValidationError(
            _("この申請はポリシーで判断できません: %(error)s") % {"error": exc}
        ) from None


def _confirmed(decision: Decision, confirmed: Iterable[str]) -> list[str]:
    """The decision's obligations, every one of which the applicant must have confirmed."""
    given = set(confirmed)
    missing = [text for ob_id, text in decision.obligations if ob_id not in given]
    if missing:
        raise ObligationsUnconfirmed(decision, missing)
    return [ob_id for ob_id, _text in decision.obligations]


@transaction.atomic
def file_request(
    organization: Organization,
    *,
    actor: Actor,
    applicant: Person,
    action: str,
    asset: Asset | None = None,
    system: System | None = None,
    context: Mapping[str, Any] | None = None,
    reason: str,
    confirmed_obligations: Iterable[str] = (),
    take_out: takeout.TakeOutPlan | None = None,
) -> Request:
    """File a request the pack decides: forbidden → nothing filed; else routed and stored.

    The decision, the engine's input and the pack digest are stored for replay; an
    `undetermined` request goes to the policy office (the organisation administrators).
    A take-out names its 持出先, 目的, 持出予定日時 and 返却予定日 (`take_out`), the return
    not before the take-out. The request is numbered per organisation and fiscal year.
    """
    access.require(actor, "requests.file", organization)
    _check_members(organization, applicant, asset, system)
    if not reason.strip():
        raise ValidationError(_("申請理由を記入してください。"))
    flags = routing.clean_context(context)
    data = routing.engine_request(
        applicant=applicant, action=action, asset=asset, system=system, context=flags
    )
    decision = _decide(organization, data)
    if decision.effect == Effect.FORBID:
        raise RequestForbidden(decision)
    confirmed = _confirmed(decision, confirmed_obligations)
    plan = takeout.plan_for(action, take_out) or takeout.TakeOutPlan()
    if system is None and asset is not None:
        system = asset.system
    department = routing.department_for(applicant, asset, system)
    steps = routing.step_rows(decision)
    routing.check_route(organization, steps, department=department, system=system)
    state = STATE_OF_EFFECT[decision.effect]
    request = Request.objects.create(
        organization=organization,
        number=numbering.next_number(organization, numbering.REQUEST),
        action=action,
        asset=asset,
        system=system,
        department=department,
        applicant=applicant,
        reason=reason.strip(),
        **plan.columns(),
        context=flags,
        confirmed_obligations=confirmed,
        effect=decision.effect.value,
        decision=decision.to_json(),
        request_data=data,
        pack_digest=decision.pack.digest,
        state=state,
        decided_at=timezone.now() if state == RequestState.PERMITTED else None,
    )
    _after_filing(request, steps, actor)
    return request


def _after_filing(request: Request, steps: list[dict[str, Any]], actor: Actor) -> None:
    """The route and the audit record are stored; who must act next is told.

    That is the first step's approvers, or the receiver of a 事後報告.

    A permitted emergency exception opens its 要事後報告 entry in the exception book (002
    8-4(2)), which waits in the CISO's inbox until received.
    """
    ApprovalStep.objects.bulk_create(
        ApprovalStep(request=request, position=i, mode=s["mode"], roles=s["roles"])
        for i, s in enumerate(steps, start=1)
    )
    record_change(
        request.organization,
        actor=actor,
        action=RequestAuditAction.FILE_REQUEST,
        obj=request,
        after=snapshot(request),
    )
    first = request.steps.order_by("position").first()
    if first is not None:
        notifications.send_on_commit(notifications.step_waiting(request, first))
    extensions.after_filing(request, actor)  # e.g. the books open a 要事後報告 entry


def _locked(request: Request) -> Request:
    """The request row, locked until the transaction ends (FOR UPDATE on PostgreSQL)."""
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related("organization", "applicant", "asset", "system", "department")
        .get(pk=request.pk)
    )


def _refresh(request: Request, locked: Request) -> None:
    """Give the caller's instance the stored state."""
    for field in ("state", "decided_at", "overridden"):
        setattr(request, field, getattr(locked, field))


def approve_request(
    request: Request,
    *,
    actor: Actor,
    approver: Person,
    role_id: str | None = None,
    comment: str = "",
    override_reason: str = "",
) -> Request:
    """Approve the request's current step for one role the approver holds; the last → APPROVED.

    Runs in its own transaction; a refusal (PermissionDenied/ValidationError) changes
    nothing and is written to the audit trail as `refused_approval`, which survives.
    """
    attempt = _Attempt(
        verdict=Verdict.APPROVE,
        actor=actor,
        approver=approver,
        role_id=role_id,
        comment=comment.strip(),
        override_reason=override_reason.strip(),
    )
    return _give_verdict(request, attempt)


def reject_request(
    request: Request,
    *,
    actor: Actor,
    approver: Person,
    role_id: str | None = None,
    comment: str = "",
    override_reason: str = "",
) -> Request:
    """Reject the request at its current step (any step's rejection rejects the request).

    Refusals are recorded and raised as for `approve_request`.
    """
    attempt = _Attempt(
        verdict=Verdict.REJECT,
        actor=actor,
        approver=approver,
        role_id=role_id,
        comment=comment.strip(),
        override_reason=override_reason.strip(),
    )
    return _give_verdict(request, attempt)


@dataclass(frozen=True, kw_only=True)
class _Attempt:
    """One approver's verdict as asked for, before any check."""

    verdict: Verdict
    actor: Actor
    approver: Person
    role_id: str | None
    comment: str
    override_reason: str


def _give_verdict(request: Request, attempt: _Attempt) -> Request:
    """Apply a verdict in one transaction; on refusal record the attempt in another, re-raise."""
    try:
        with transaction.atomic():
            locked = _locked(request)
            _apply_verdict(locked, attempt)
    except (PermissionDenied, ValidationError) as exc:
        _record_refusal(request, attempt, exc)
        raise
    _refresh(request, locked)
    return locked


def _record_refusal(
    request: Request, attempt: _Attempt, error: PermissionDenied | ValidationError
) -> None:
    """Write a refused approval to the audit trail, in its own transaction (issue 5)."""
    reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    with transaction.atomic():
        record_change(
            Organization.objects.get(pk=request.organization_id),
            actor=attempt.actor,
            action=RequestAuditAction.REFUSED_APPROVAL,
            obj=request,
            after={
                "verdict": attempt.verdict.value,
                "approver": attempt.approver.name,
                "approver_id": attempt.approver.pk,
                "approver_organization_id": attempt.approver.organization_id,
                "role_id": attempt.role_id or "",
                "reason": reason,
            },
        )


def _checked(
    request: Request, attempt: _Attempt
) -> tuple[list[ApprovalStep], ApprovalStep, entitlements.Entitlement, bool]:
    """Everything a verdict needs, or a refusal: the steps, the current one, the role, override."""
    approver, verdict = attempt.approver, attempt.verdict
    if approver.organization_id != request.organization_id:
        raise PermissionDenied(_("この申請は別の組織のものです。"))
    # The state allows a verdict at all (REQUEST_WORKFLOW), before anything else is asked.
    REQUEST_WORKFLOW.transition_for(
        request, RequestEvent.APPROVE if verdict == Verdict.APPROVE else RequestEvent.REJECT
    )
    steps = list(request.steps.prefetch_related("approvals").order_by("position"))
    step = routing.current_step(steps)
    if step is None:
        raise ValidationError(_("この申請に判断を待つ段階はありません。"))
    decided = {a.role_id for a in step.approvals.all()}
    if any(a.approver_id == approver.pk for a in step.approvals.all()):
        raise ValidationError(
            _("この段階では既に判断しています（同じ者が二度判断することはできません）。")
        )
    entitlement = routing.entitlement(
        request, step, approver, role_id=attempt.role_id, decided=decided
    )
    overridden = routing.separation_override(
        request, approver, approve=verdict == Verdict.APPROVE, reason=attempt.override_reason
    )
    return steps, step, entitlement, overridden


def _apply_verdict(request: Request, attempt: _Attempt) -> None:
    """Check everything, then record the verdict and move the request (row already locked)."""
    steps, step, entitlement, overridden = _checked(request, attempt)
    decided = {a.role_id for a in step.approvals.all()}
    Approval.objects.create(
        step=step,
        role_id=entitlement.role_id,
        approver=attempt.approver,
        acting_for_id=entitlement.acting_for_id,
        verdict=attempt.verdict,
        comment=attempt.comment,
        override_reason=attempt.override_reason if overridden else "",
    )
    now = timezone.now()
    event, waiting = _event(steps, step, attempt.verdict, decided | {entitlement.role_id}, now)
    changes: dict[str, Any] = {"overridden": request.overridden or overridden}
    if event != RequestEvent.APPROVE_STEP:
        changes["decided_at"] = now
    workflow.move(
        request,
        event,
        actor=attempt.actor,
        table=REQUEST_WORKFLOW,
        changes=changes,
        details={
            "step": step.position,
            "role_id": entitlement.role_id,
            "approver": attempt.approver.name,
            "acting_for_id": entitlement.acting_for_id,
            "comment": attempt.comment,
            "overridden": changes["overridden"],
            "override_reason": attempt.override_reason if changes["overridden"] else "",
        },
    )
    if overridden:
        _record_override(request, step, attempt)
    if waiting is not None:
        notifications.send_on_commit(notifications.step_waiting(request, waiting))
    elif event != RequestEvent.APPROVE_STEP:
        notifications.send_on_commit(notifications.decided(request))


def _event(
    steps: list[ApprovalStep],
    step: ApprovalStep,
    verdict: Verdict,
    approved: set[str],
    now: datetime,
) -> tuple[RequestEvent, ApprovalStep | None]:
    """The event a verdict is (the step's last approval may end the route), the next step."""
    if verdict == Verdict.REJECT:
        return RequestEvent.REJECT, None
    roles = set(routing.step_role_ids(step))
    if step.mode != ApprovalMode.ANY_OF and not roles <= approved:
        return RequestEvent.APPROVE_STEP, None  # all_of: other roles still to approve
    step.completed_at = now
    step.save(update_fields=["completed_at"])
    waiting = routing.current_step(steps)
    return (RequestEvent.APPROVE if waiting is None else RequestEvent.APPROVE_STEP), waiting


def _record_override(request: Request, step: ApprovalStep, attempt: _Attempt) -> None:
    """The applicant's own approval under 002 2(6)ア's exception, as its own audit record."""
    constraint = routing.applicant_constraint(request.stored_decision)
    record_change(
        request.organization,
        actor=attempt.actor,
        action=RequestAuditAction.OVERRIDE_SEPARATION,
        obj=request,
        after={
            "constraint": constraint.id if constraint is not None else "",
            "clause": constraint.clause if constraint is not None else "",
            "step": step.position,
            "approver": attempt.approver.name,
            "override_reason": attempt.override_reason,
        },
    )


@transaction.atomic
def withdraw_request(request: Request, *, actor: Actor, applicant: Person) -> Request:
    """The applicant takes back a request still waiting for a decision."""
    locked = _locked(request)
    if applicant.pk != locked.applicant_id:
        raise PermissionDenied(_("申請者本人だけが申請を取り下げられます。"))
    workflow.move(
        locked,
        RequestEvent.WITHDRAW,
        actor=actor,
        table=REQUEST_WORKFLOW,
        changes={"decided_at": timezone.now()},
    )
    _refresh(request, locked)
    return locked


@transaction.atomic
def complete_request(request: Request, *, actor: Actor) -> Request:
    """Mark an approved or permitted request done (its record book entry is closed)."""
    locked = _locked(request)
    workflow.move(locked, RequestEvent.COMPLETE, actor=actor, table=REQUEST_WORKFLOW)
    _refresh(request, locked)
    return locked
