"""Pages of the corrective actions: the list (mine / my 課 / all) and one action's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kitei.core import access, workflow
from kitei.core.forms import EvidenceForm
from kitei.core.models import Organization
from kitei.corrective import queries, services
from kitei.corrective.forms import ProgressForm, ReportForm, VerifyForm
from kitei.corrective.models import CorrectiveAction
from kitei.corrective.workflow import CORRECTIVE_WORKFLOW
from kitei.people.models import Person


def _member(request: HttpRequest) -> tuple[Organization, Person]:
    org = access.organization_of(request.user)
    access.require(request.user, "corrective.view", org)
    person = access.person_of(request.user)
    if org is None or not isinstance(person, Person):
        raise PermissionDenied("corrective.view")
    return org, person


def _action(request: HttpRequest, pk: int) -> tuple[CorrectiveAction, Person]:
    """One action of the user's organisation that the user may see; 404 otherwise."""
    org, person = _member(request)
    action = (
        access.scoped(CorrectiveAction.objects.all(), org)
        .select_related("organization", "owner", "department", "verified_by")
        .filter(pk=pk)
        .first()
    )
    if action is None or not queries.may_view(request.user, person, action):
        raise Http404("corrective action")
    return action, person


@login_required
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    """The actions the user owns, of their 課, or all of them (corrective.view_all)."""
    org, person = _member(request)
    scope = request.GET.get("scope", queries.MINE)
    if scope not in queries.SCOPES:
        scope = queries.MINE
    today = timezone.localdate()
    overdue = request.GET.get("overdue") == "1"
    rows = queries.listed(
        org,
        request.user,
        person,
        scope,
        open_only=request.GET.get("open") == "1",
        overdue_on=today if overdue else None,
    )
    context = {
        "rows": [(a, a.is_overdue(today)) for a in rows[:500]],
        "scope": scope,
        "overdue": overdue,
        "can_view_all": access.check(request.user, "corrective.view_all", org).allowed,
        "today": today,
    }
    return render(request, "corrective/list.html", context)


def _detail(
    request: HttpRequest,
    action: CorrectiveAction,
    person: Person,
    *,
    status: int = 200,
    **forms: Form,
) -> HttpResponse:
    is_owner = person.pk == action.owner_id
    events = {e.value for e in workflow.available_events(action, table=CORRECTIVE_WORKFLOW)}
    context: dict[str, Any] = {
        "action": action,
        "progress": action.progress.select_related("recorded_by"),
        "files": services.completion_evidence(action),
        "is_owner": is_owner,
        "can_progress": is_owner and action.state not in ("reported", "verified"),
        "can_report": is_owner and "report_done" in events,
        "can_verify": "verify" in events and services.may_verify(action, request.user).allowed,
        "overdue": action.is_overdue(),
        "verifiers": list(action.verifiers.all()),
        "progress_form": forms.get("progress_form") or ProgressForm(prefix="progress"),
        "form": forms.get("form") or EvidenceForm(),
        "report_form": forms.get("report_form") or ReportForm(prefix="report"),
        "verify_form": forms.get("verify_form") or VerifyForm(prefix="verify"),
        "can_attach": is_owner and action.state != "verified",
        "evidence_action": reverse("corrective:evidence", args=[action.pk]),
    }
    return render(request, "corrective/detail.html", context, status=status)


@login_required
@require_GET
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One action: its source, plan, progress, evidence, and the steps open to the user."""
    action, person = _action(request, pk)
    return _detail(request, action, person)


def _done(request: HttpRequest, action: CorrectiveAction, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("corrective:detail", pk=action.pk)


@login_required
@require_POST
def action_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Append a progress report (owner)."""
    action, person = _action(request, pk)
    form = ProgressForm(request.POST, prefix="progress")
    if form.is_valid():
        try:
            services.record_progress(action, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _done(request, action, _("進捗を記録しました。"))
    action.refresh_from_db()
    return _detail(request, action, person, status=400, progress_form=form)


@login_required
@require_POST
def action_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a completion evidence file (owner)."""
    action, person = _action(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.attach_completion_evidence(
                action,
                actor=request.user,
                upload=data["file"],
                evidence_date=data["evidence_date"],
                description=data["description"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _done(request, action, _("証拠ファイルを添付しました。"))
    return _detail(request, action, person, status=400, form=form)


@login_required
@require_POST
def action_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Report completion (owner; evidence required)."""
    action, person = _action(request, pk)
    form = ReportForm(request.POST, prefix="report")
    if form.is_valid():
        try:
            services.report_done(action, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _done(request, action, _("完了を報告しました。"))
    action.refresh_from_db()
    return _detail(request, action, person, status=400, report_form=form)


@login_required
@require_POST
def action_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm or return the reported work (never the owner)."""
    action, person = _action(request, pk)
    form = VerifyForm(request.POST, prefix="verify")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.verify(
                action,
                actor=request.user,
                accept=data["decision"] == "verify",
                effectiveness=data["effectiveness"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            done = (
                _("確認済としました。") if data["decision"] == "verify" else _("差し戻しました。")
            )
            return _done(request, action, done)
    action.refresh_from_db()
    return _detail(request, action, person, status=400, verify_form=form)
