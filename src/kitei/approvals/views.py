"""Pages of requests (申請): filing with a preview of the decision, the inbox, one request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kitei.approvals import extensions, notifications, queries, routing, services, takeout
from kitei.approvals.choices import DecisionEffect, RequestEvent, RequestState, StepMode
from kitei.approvals.forms import FLAGS, TAKE_OUT_FIELDS, RequestEntryForm, VerdictForm
from kitei.approvals.models import Request
from kitei.approvals.workflow import REQUEST_WORKFLOW
from kitei.core import access, workflow
from kitei.core.models import Organization
from kitei.people import entitlements
from kitei.people.models import Department, Person
from kitei.policy import Decision, RequestError
from kitei.systems.models import System

PAGE_SIZE = 50


def _member(request: HttpRequest, permission: access.Permission) -> tuple[Organization, Person]:
    """The user's organisation and Person, after checking the permission there (403 otherwise)."""
    org = access.organization_of(request.user)
    access.require(request.user, permission, org)
    person = access.person_of(request.user)
    if org is None or not isinstance(person, Person):  # require() refused anyone else
        raise PermissionDenied(permission)
    return org, person


# --- the preview of the decision --------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RouteRole:
    """A role of a step and the people who hold it for the request's 課 or system today."""

    title: str
    people: list[Person]


@dataclass(frozen=True, kw_only=True)
class RouteStep:
    """One step of the route as the preview shows it."""

    mode: str
    roles: list[RouteRole]


@dataclass(kw_only=True)
class Preview:
    """What the pack would decide if the request were filed now, and who would approve it."""

    decision: Decision | None = None
    effect_title: str = ""
    route: list[RouteStep] = field(default_factory=list)
    problem: str = ""  # a route nobody could decide (no system named …)
    error: str = ""  # a request the engine cannot read
    confirmed: list[str] = field(default_factory=list)


def _target(
    org: Organization, department: Department | None, system: System | None
) -> entitlements.ApprovalTarget:
    """The 課 and system the route's roles are resolved against, as filing resolves them."""
    return entitlements.ApprovalTarget(
        organization_id=org.pk,
        department_id=department.pk if department is not None else None,
        system_id=system.pk if system is not None else None,
        system_manager_id=system.manager_id if system is not None else None,
        system_operator_id=system.operator_id if system is not None else None,
    )


def preview_of(
    org: Organization, applicant: Person, form: RequestEntryForm, decision: Decision | None = None
) -> Preview:
    """The decision the pack gives the form's request (or the one given), with the route."""
    data = form.cleaned_data
    asset, system = data.get("asset"), data.get("system")
    result = Preview(confirmed=form.confirmed_obligations())
    if decision is None:
        request = routing.engine_request(
            applicant=applicant,
            action=data["action"],
            asset=asset,
            system=system,
            context=form.context(),
        )
        try:
            decision = access.decide(org, request)
        except RequestError as exc:
            result.error = _("この申請はポリシーで判断できません: %(error)s") % {"error": exc}
            return result
    result.decision = decision
    result.effect_title = str(DecisionEffect(decision.effect).label)
    steps = routing.step_rows(decision)
    route_system = system or (asset.system if asset is not None else None)
    department = routing.department_for(applicant, asset, route_system)
    try:
        routing.check_route(org, steps, department=department, system=route_system)
    except ValidationError as exc:
        result.problem = " ".join(exc.messages)
    target = _target(org, department, route_system)
    for step in steps:
        roles = [
            RouteRole(
                title=str(r["title"]),
                people=entitlements.approvers_for(org, target, [str(r["id"])]),
            )
            for r in step["roles"]
        ]
        result.route.append(RouteStep(mode=str(StepMode(step["mode"]).label), roles=roles))
    return result


def _entry_form(request: HttpRequest, org: Organization) -> RequestEntryForm:
    """The request form, bound to the POST, or preselected from the query string."""
    url = reverse("approvals:preview")
    if request.method == "POST":
        return RequestEntryForm(request.POST, organization=org, preview_url=url)
    initial = {k: request.GET[k] for k in ("action", "asset", "system") if request.GET.get(k)}
    if "action" not in initial:  # from an asset's or a system's page: the usual action
        if "asset" in initial:
            initial["action"] = "asset.take_out"
        elif "system" in initial:
            initial["action"] = "system.change"
    return RequestEntryForm(initial=initial, organization=org, preview_url=url)


@login_required
@require_POST
def request_preview(request: HttpRequest) -> HttpResponse:
    """The decision on the form's request as it stands (htmx fragment); nothing is filed."""
    org, person = _member(request, "requests.file")
    form = _entry_form(request, org)
    preview = None
    if form.is_valid() or _decidable(form):  # the reason and the take-out are not needed
        preview = preview_of(org, person, form)
    return render(request, "approvals/_preview.html", {"preview": preview, "form": form})


def _file(
    request: HttpRequest, org: Organization, person: Person, form: RequestEntryForm
) -> tuple[Request | None, Decision | None, int]:
    """File the form's request; on a refusal the form carries the message (nothing filed)."""
    data = form.cleaned_data
    try:
        filed = services.file_request(
            org,
            actor=request.user,
            applicant=person,
            action=data["action"],
            asset=data["asset"],
            system=data["system"],
            context=form.context(),
            reason=data["reason"],
            confirmed_obligations=form.confirmed_obligations(),
            take_out=form.take_out_plan(),
        )
    except services.RequestForbidden as exc:
        form.add_error(None, exc)
        return None, exc.decision, 403
    except services.ObligationsUnconfirmed as exc:
        form.add_error(None, exc)
        return None, exc.decision, 400
    except ValidationError as exc:
        form.add_error(None, exc)
        return None, None, 400
    return filed, None, 201


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """File a request: the action, its asset or system, the circumstances and why.

    「判断を確認」 (or htmx, on every change) shows the pack's decision first; filing a
    forbidden request shows why, citing the clause, and files nothing.
    """
    org, person = _member(request, "requests.file")
    form = _entry_form(request, org)
    preview, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if "preview" in request.POST:
                preview, status = preview_of(org, person, form), 200
            else:
                with notifications.collecting() as notices:
                    filed, decision, status = _file(request, org, person, form)
                if filed is not None:
                    _tell(request, _filed_message(filed), notices)
                    return redirect("approvals:detail", pk=filed.pk)
                preview = preview_of(org, person, form, decision)
        elif _decidable(form):  # only the reason or the take-out to correct: keep the checklist
            preview = preview_of(org, person, form)
    context = {"form": form, "preview": preview, "flags": FLAGS}
    return render(request, "approvals/request_form.html", context, status=status)


def _decidable(form: RequestEntryForm) -> bool:
    """Whether the form's errors leave what the decision depends on intact."""
    return not set(form.errors) - {"reason", *TAKE_OUT_FIELDS}


def _filed_message(filed: Request) -> str:
    """What the applicant is told once the request is filed (whom it reached is added)."""
    if filed.state == RequestState.PERMITTED:
        return _("申請を記録しました（承認は不要です）。")
    if filed.state == RequestState.GAP:
        return _("申請しました。規程に定めがないため、情報政策担当（組織管理者）が確認します。")
    return _("申請しました。")


def _tell(request: HttpRequest, done: str, notices: list[notifications.Notice]) -> None:
    """Say what was done and whom the notifications reached; a warning if anyone was not."""
    # Japanese sentences run on after 「。」; other languages put a space between them.
    space = "" if (get_language() or "ja").startswith("ja") else " "
    text = space.join([done, *(notifications.describe(n) for n in notices)])
    if any(n.without_address or not n.reached for n in notices):
        messages.warning(request, text)
    else:
        messages.success(request, text)


# --- lists -----------------------------------------------------------------------------


def _rows(requests: QuerySet[Request], page_number: str | None) -> Any:
    """A page of requests (routes prefetched), each with its title and current step."""
    page = Paginator(requests, PAGE_SIZE).get_page(page_number)
    for item in page.object_list:
        item.action_title = queries.action_title(item)  # read by the template
        item.waiting_step = queries.current_step(item)
    return page


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    """The requests the user filed, newest first."""
    org, person = _member(request, "requests.view")
    page = _rows(queries.requests_of(person), request.GET.get("page"))
    return render(request, "approvals/request_list.html", {"page": page, "org": org})


def _reports_awaited(request: HttpRequest, org: Organization | None) -> QuerySet[Any] | None:
    """The 事後報告 the user is to receive (002 8-4(2): the CISO), or None if not theirs."""
    if org is None or not access.check(request.user, "exceptions.receive_report", org).allowed:
        return None
    return extensions.reports_awaited(org)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The requests whose current step waits on the user (own roles and 代行 in period).

    A receiver of 事後報告 also finds there every emergency exception still to be received.
    """
    org, person = _member(request, "requests.view")
    page = _rows(queries.inbox_for(person), request.GET.get("page"))
    reports = _reports_awaited(request, org)
    context = {"page": page, "org": org, "reports": None if reports is None else list(reports)}
    return render(request, "approvals/inbox.html", context)


@login_required
@require_GET
def inbox_count(request: HttpRequest) -> HttpResponse:
    """The navigation's badge: how many requests wait on the user (htmx fragment)."""
    org = access.organization_of(request.user)
    person = access.person_of(request.user)
    count = 0
    if access.check(request.user, "requests.view", org).allowed and isinstance(person, Person):
        count = queries.inbox_for(person).count()
        reports = _reports_awaited(request, org)
        count += reports.count() if reports is not None else 0
    return render(request, "approvals/_inbox_count.html", {"count": count})


# --- one request -------------------------------------------------------------------------


def _request(org: Organization, pk: int) -> Request:
    """One request of the organisation with its route, or 404 (also another organisation's)."""
    return get_object_or_404(queries.with_route(access.scoped(Request.objects.all(), org)), pk=pk)


def _may_override(person: Person, item: Request) -> bool:
    """Whether the applicant may approve their own request with a reason (002 2(6)ア)."""
    return item.applicant_id == person.pk and routing.may_self_approve(item.stored_decision)


def _may_withdraw(person: Person, item: Request) -> bool:
    """Whether to offer 取下げ: the applicant, where the transition table allows it."""
    events = workflow.available_events(item, table=REQUEST_WORKFLOW, actor=person.user)
    return item.applicant_id == person.pk and RequestEvent.WITHDRAW in events


def _detail_context(person: Person, item: Request, **extra: Any) -> dict[str, Any]:
    """Everything the request page shows: decision, route, verdict forms, records."""
    may_decide = queries.may_decide(person, item)
    with_override = may_decide and _may_override(person, item)
    current = queries.current_step(item)
    records = extensions.request_records(item)
    context: dict[str, Any] = {
        "item": item,
        "action_title": queries.action_title(item),
        "decision": item.stored_decision,
        "effect_title": DecisionEffect(item.effect).label,
        "steps": _steps(item, current),
        "flags": [label for flag, label, _help in FLAGS if item.context.get(flag)],
        "constraint": routing.applicant_constraint(item.stored_decision),
        "waiting_on": queries.waiting_on(item) if current is not None else [],
        "may_decide": may_decide,
        "verdict_form": VerdictForm(with_override=with_override) if may_decide else None,
        "may_withdraw": _may_withdraw(person, item),
        "records": records.entries,
        "to_record": records.to_record,
        "is_applicant": item.applicant_id == person.pk,
        "is_take_out": takeout.is_take_out(item.action),
    }
    context.update(extra)
    return context


def _steps(item: Request, current: Any) -> list[dict[str, Any]]:
    """The route as rows: each step's mode, roles, state and verdicts."""
    rows = []
    for step in item.steps.all():
        titles = {str(r["id"]): str(r["title"]) for r in step.roles}
        if step.completed_at is not None:
            state = "done"
        elif current is not None and step.pk == current.pk:
            state = "waiting"
        else:
            state = "later"
        verdicts = [
            {"approval": a, "role_title": titles.get(a.role_id, a.role_id)}
            for a in step.approvals.all()
        ]
        rows.append(
            {
                "step": step,
                "mode": step.mode_label,
                "roles": list(titles.values()),
                "state": state,
                "verdicts": verdicts,
            }
        )
    return rows


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: the decision with its clauses, the route and each step's verdicts."""
    org, person = _member(request, "requests.view")
    item = _request(org, pk)
    return render(request, "approvals/request_detail.html", _detail_context(person, item))


def _verdict(request: HttpRequest, pk: int, *, approve: bool) -> HttpResponse:
    """Approve or reject through the services; their refusal is shown in Japanese, 403/400."""
    org, person = _member(request, "requests.view")
    item = _request(org, pk)
    form = VerdictForm(request.POST, with_override=_may_override(person, item))
    status = 400
    if form.is_valid():
        give = services.approve_request if approve else services.reject_request
        try:
            with notifications.collecting() as notices:
                give(
                    item,
                    actor=request.user,
                    approver=person,
                    comment=form.cleaned_data["comment"],
                    override_reason=form.cleaned_data.get("override_reason", ""),
                )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _tell(request, _("承認しました。") if approve else _("却下しました。"), notices)
            return redirect("approvals:detail", pk=item.pk)
    item = _request(org, pk)
    context = _detail_context(person, item, verdict_form=form, verdict_error=True)
    return render(request, "approvals/request_detail.html", context, status=status)


@login_required
@require_POST
def request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve the request's current step as the user (approve_request decides if they may)."""
    return _verdict(request, pk, approve=True)


@login_required
@require_POST
def request_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """Reject the request at its current step (reject_request decides if the user may)."""
    return _verdict(request, pk, approve=False)


@login_required
@require_POST
def request_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The applicant takes back a request still waiting for a decision."""
    org, person = _member(request, "requests.view")
    item = _request(org, pk)
    try:
        services.withdraw_request(item, actor=request.user, applicant=person)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return _detail_refused(request, person, item, 403)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _detail_refused(request, person, item, 400)
    messages.success(request, _("申請を取り下げました。"))
    return redirect("approvals:detail", pk=item.pk)


def _detail_refused(
    request: HttpRequest, person: Person, item: Request, status: int
) -> HttpResponse:
    """The request page again, with the refusal among the messages."""
    item = _request(item.organization, item.pk)
    context = _detail_context(person, item)
    return render(request, "approvals/request_detail.html", context, status=status)
