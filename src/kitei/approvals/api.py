"""`/api/requests`: file a request (申請), read it, approve or reject it over the JSON API.

Every answer comes from the approval services, which enforce the route, the approvers'
entitlement and separation of duties: the API adds nothing and bypasses nothing. A request
the pack forbids is answered 422 with `code: "forbidden"` and the decision (nothing is
filed); a self-approval the pack does not allow, or without the written reason it demands,
is answered 403.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool

from kitei.approvals import queries, services, takeout
from kitei.approvals.choices import RequestState, Verdict
from kitei.approvals.models import Request
from kitei.assets.models import Asset
from kitei.core import access
from kitei.core.api import common
from kitei.core.api.auth import ApiError, Caller, TokenAuth, caller_of
from kitei.core.api.common import Ref
from kitei.core.api.errors import ERRORS, ErrorOut
from kitei.people.models import Person
from kitei.systems.models import System

router = Router(tags=["申請・承認"])


class RequestIn(Schema):
    """A request to file: the action, what it concerns, the circumstances and the reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action: str = Field(min_length=1, max_length=64, description="操作（例: asset.take_out）")
    asset_id: int | None = Field(None, description="対象の情報資産の id")
    system_id: int | None = Field(None, description="対象の情報システムの id")
    context: dict[str, StrictBool] = Field(
        default_factory=dict, description="状況（emergency, external, minor, encrypted, visitor）"
    )
    reason: str = Field(min_length=1, max_length=4000, description="申請理由")
    confirmed_obligations: list[str] = Field(
        default_factory=list, description="確認した遵守事項の id（判断の obligations）"
    )
    destination: str = Field(
        "", max_length=takeout.MAX_DESTINATION, description="持出先（持ち出しの申請では必須）"
    )
    purpose: str = Field(
        "", max_length=takeout.MAX_PURPOSE, description="目的（持ち出しの申請では必須）"
    )
    planned_take_out_at: datetime | None = Field(
        None, description="持出予定日時（持ち出しの申請では必須。時差のない値は日本時間）"
    )
    planned_return_on: date | None = Field(
        None, description="返却予定日（持ち出しの申請では必須。持出予定日時の日より前は不可）"
    )

    def take_out(self) -> takeout.TakeOutPlan:
        """The take-out fields as the service checks them."""
        return takeout.TakeOutPlan(
            destination=self.destination,
            purpose=self.purpose,
            take_out_at=self.planned_take_out_at,
            return_on=self.planned_return_on,
        )


class VerdictIn(Schema):
    """An approver's verdict: a comment, the role when several could be meant, an override reason.

    `override_reason` is only for the applicant approving their own request where the pack
    allows it (002 2(6)ア 止むを得ない場合).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    comment: str = Field("", max_length=4000)
    override_reason: str = Field("", max_length=4000)
    role_id: str | None = Field(None, max_length=64, description="どの役割として判断するか")


class RoleOut(Schema):
    """A role of a step, by id and title."""

    id: str
    title: str


class ApprovalOut(Schema):
    """A verdict given on a step; `acting_for` when given as a deputy (代行)."""

    role_id: str
    approver: Ref
    acting_for: Ref | None
    verdict: Verdict
    comment: str
    override_reason: str
    at: datetime


class StepOut(Schema):
    """A step of the route: `all_of` or `any_of` its roles."""

    position: int
    mode: str
    roles: list[RoleOut]
    completed_at: datetime | None
    approvals: list[ApprovalOut]


class RequestOut(Schema):
    """A request with the pack's decision, its route and where it stands.

    `overridden` flags a request approved by its own applicant under 002 2(6)ア.
    """

    id: int
    number: str = Field(description="申請番号（組織・年度ごと、例: R8-0001）")
    action: str
    action_title: str
    state: RequestState
    state_title: str
    effect: str
    overridden: bool
    applicant: Ref
    asset: Ref | None
    system: Ref | None
    department: Ref | None
    reason: str
    destination: str
    purpose: str
    planned_take_out_at: datetime | None
    planned_return_on: date | None
    context: dict[str, bool]
    confirmed_obligations: list[str]
    decision: dict[str, Any]
    pack_digest: str
    steps: list[StepOut]
    waiting: bool
    created_at: datetime
    decided_at: datetime | None


class ForbiddenOut(ErrorOut):
    """Every 422 of filing: invalid input (`errors`), or a request the pack forbids or whose
    obligations are not all confirmed (with the `decision`)."""

    decision: dict[str, Any] | None = None


class RequestList(Schema):
    """The caller's requests, or their inbox."""

    count: int
    items: list[RequestOut]


class ListFilters(Schema):
    """Which list: the caller's own requests, or those waiting on the caller."""

    box: Literal["mine", "inbox"] = Field("mine", description="mine: 自分の申請 / inbox: 承認待ち")


def out(request: Request) -> dict[str, Any]:
    """The JSON of a request (route prefetched by queries.with_route)."""
    steps = list(request.steps.all())
    return {
        "id": request.pk,
        "number": request.number,
        "action": request.action,
        "action_title": queries.action_title(request),
        "state": request.state,
        "state_title": request.get_state_display(),
        "effect": request.effect,
        "overridden": request.overridden,
        "applicant": common.ref(request.applicant),
        "asset": common.ref(request.asset),
        "system": common.ref(request.system),
        "department": common.ref(request.department),
        "reason": request.reason,
        "destination": request.destination,
        "purpose": request.purpose,
        "planned_take_out_at": request.planned_take_out_at,
        "planned_return_on": request.planned_return_on,
        "context": request.context,
        "confirmed_obligations": request.confirmed_obligations,
        "decision": request.stored_decision.to_json(),
        "pack_digest": request.pack_digest,
        "steps": [
            {
                "position": s.position,
                "mode": s.mode,
                "roles": s.roles,
                "completed_at": s.completed_at,
                "approvals": [
                    {
                        "role_id": a.role_id,
                        "approver": common.ref(a.approver),
                        "acting_for": common.ref(a.acting_for),
                        "verdict": a.verdict,
                        "comment": a.comment,
                        "override_reason": a.override_reason,
                        "at": a.at,
                    }
                    for a in s.approvals.all()
                ],
            }
            for s in steps
        ],
        "waiting": request.state in queries.OPEN_STATES,
        "created_at": request.created_at,
        "decided_at": request.decided_at,
    }


def _person(caller: Caller) -> Person:
    """The caller's Person (a token always belongs to a member; 403 otherwise)."""
    person = access.person_of(caller.user)
    if not isinstance(person, Person) or person.organization_id != caller.organization.pk:
        raise ApiError(403, "forbidden", _("この組織の職員ではありません。"))
    return person


def _detail(caller: Caller, pk: int) -> dict[str, Any]:
    """One request of the caller's organisation (404 for any other)."""
    queryset = queries.with_route(Request.objects.all())
    return out(common.get_or_404(queryset, caller.organization, pk, _("申請")))


@router.post(
    "",
    response={201: RequestOut, 422: ForbiddenOut, **{k: v for k, v in ERRORS.items() if k != 422}},
    auth=TokenAuth("requests.file"),
    summary="申請",
)
def create_request(request: HttpRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    """File a request: 201 with the decision and route, or 422 with the decision if forbidden."""
    caller = caller_of(request)
    organization = caller.organization
    asset = system = None
    if payload.asset_id is not None:
        asset = common.lookup(Asset.objects.all(), organization, payload.asset_id, _("情報資産"))
    if payload.system_id is not None:
        system = common.lookup(
            System.objects.all(), organization, payload.system_id, _("情報システム")
        )
    try:
        filed = services.file_request(
            organization,
            actor=caller.user,
            applicant=_person(caller),
            action=payload.action,
            asset=asset,
            system=system,
            context=payload.context,
            reason=payload.reason,
            confirmed_obligations=payload.confirmed_obligations,
            take_out=payload.take_out(),
        )
    except (services.RequestForbidden, services.ObligationsUnconfirmed) as exc:
        code = "forbidden" if isinstance(exc, services.RequestForbidden) else "obligations"
        body = {"detail": " ".join(exc.messages), "code": code, "decision": exc.decision.to_json()}
        return Status(422, body)
    return Status(201, _detail(caller, filed.pk))


@router.get(
    "",
    response={200: RequestList, **ERRORS},
    auth=TokenAuth("requests.view"),
    summary="自分の申請・承認待ちの一覧",
)
def list_requests(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    """The caller's own requests (`box=mine`) or those waiting on them (`box=inbox`)."""
    person = _person(caller_of(request))
    rows = queries.inbox_for(person) if filters.box == "inbox" else queries.requests_of(person)
    items = [out(r) for r in rows]
    return {"count": len(items), "items": items}


@router.get(
    "/{int:request_id}",
    response={200: RequestOut, **ERRORS},
    auth=TokenAuth("requests.view"),
    summary="申請",
)
def get_request(request: HttpRequest, request_id: int) -> dict[str, Any]:
    """One request of the organisation, with its decision and route."""
    return _detail(caller_of(request), request_id)


def _verdict(request: HttpRequest, request_id: int, payload: VerdictIn, approve: bool) -> Any:
    """Give a verdict through the services: 403 when not entitled (self-approval included)."""
    caller = caller_of(request)
    person = _person(caller)
    row = common.get_or_404(Request.objects.all(), caller.organization, request_id, _("申請"))
    give = services.approve_request if approve else services.reject_request
    try:
        give(
            row,
            actor=caller.user,
            approver=person,
            role_id=payload.role_id,
            comment=payload.comment,
            override_reason=payload.override_reason,
        )
    except PermissionDenied as exc:
        raise ApiError(403, "forbidden", str(exc)) from None
    return _detail(caller, request_id)


@router.post(
    "/{int:request_id}/approve",
    response={200: RequestOut, **ERRORS},
    auth=TokenAuth("requests.view"),
    summary="承認",
)
def approve(request: HttpRequest, request_id: int, payload: VerdictIn) -> Any:
    """Approve the current step (approve_request); refusals are in the audit trail."""
    return _verdict(request, request_id, payload, approve=True)


@router.post(
    "/{int:request_id}/reject",
    response={200: RequestOut, **ERRORS},
    auth=TokenAuth("requests.view"),
    summary="却下",
)
def reject(request: HttpRequest, request_id: int, payload: VerdictIn) -> Any:
    """Reject the request at its current step (reject_request)."""
    return _verdict(request, request_id, payload, approve=False)
