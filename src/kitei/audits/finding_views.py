"""Pages of the findings: the list (mine / all with audits.view) and one finding, with its
improvement plan, corrective actions and the steps open to the user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kitei.audits import findings, horizontal, queries
from kitei.audits.export import export_findings
from kitei.audits.forms import AnswerForm, DeployForm, PlanForm, ReasonForm
from kitei.audits.models import Finding, HorizontalCheck
from kitei.audits.views import member
from kitei.audits.workflow import FINDING_WORKFLOW
from kitei.core import access, workflow
from kitei.people.models import Department, Person


def _finding(request: HttpRequest, pk: int) -> tuple[Finding, Person]:
    org, person = member(request)
    finding = (
        access.scoped(Finding.objects.all(), org)
        .select_related("organization", "audit", "department", "owner")
        .filter(pk=pk)
        .first()
    )
    if finding is None or not queries.may_view_finding(request.user, person, finding):
        raise Http404("finding")
    return finding, person


@login_required
@require_GET
def finding_list(request: HttpRequest) -> HttpResponse:
    """Findings the user owns (?mine=1), or all of them for holders of audits.view."""
    org, person = member(request)
    mine = request.GET.get("mine") == "1"
    asked = request.GET.get("asked") == "1"
    if asked:  # the findings whose horizontal check the user has still to answer
        ids = queries.checks_awaiting(org, person).values_list("finding_id", flat=True)
        rows = access.scoped(Finding.objects.all(), org).filter(pk__in=ids)
        rows = rows.select_related("audit", "department", "owner").order_by("-pk")
    else:
        rows = queries.findings_for(org, request.user, person, mine=mine)
    if mine:
        rows = rows.filter(state__in=queries.OPEN_STATES)
    context = {
        "rows": rows[:500],
        "mine": mine,
        "can_view_all": access.check(request.user, "audits.view", org).allowed,
    }
    return render(request, "audits/findings.html", context)


def _others(finding: Finding) -> Any:
    return access.scoped(Department.objects.all(), finding.organization).exclude(
        pk=finding.department_id
    )


def _detail(
    request: HttpRequest, finding: Finding, person: Person, *, status: int = 200, **forms: Any
) -> HttpResponse:
    events = {
        e.value
        for e in workflow.available_events(finding, table=FINDING_WORKFLOW, actor=request.user)
    }
    is_owner = person.pk == finding.owner_id
    auditor = finding.audit.appointments.filter(person=person).exists()
    audit_side = auditor or access.check(request.user, "audits.manage", finding).allowed
    context = {
        "finding": finding,
        "actions": findings.actions_of(finding).select_related("owner"),
        "can_plan": is_owner and "submit_plan" in events,
        "can_close": audit_side and not is_owner and "close" in events,
        "can_accept": "accept_risk" in events,
        "can_withdraw": "withdraw" in events,
        "plan_form": forms.get("plan_form") or PlanForm(prefix="plan"),
        "close_form": forms.get("close_form") or ReasonForm(prefix="close"),
        "accept_form": forms.get("accept_form") or ReasonForm(prefix="accept"),
        "withdraw_form": forms.get("withdraw_form") or ReasonForm(prefix="withdraw"),
        "checks": finding.horizontal.select_related("department", "owner", "linked"),
        "my_check": finding.horizontal.filter(owner=person, answer="asked").first(),
        "can_deploy": access.check(request.user, "audits.receive_report", finding).allowed,
        "deploy_form": forms.get("deploy_form")
        or DeployForm(prefix="deploy", departments=_others(finding)),
        "answer_form": forms.get("answer_form") or AnswerForm(prefix="answer"),
        "origin": finding.origin,
    }
    return render(request, "audits/finding.html", context, status=status)


@login_required
@require_GET
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One finding."""
    finding, person = _finding(request, pk)
    return _detail(request, finding, person)


def _posted(
    request: HttpRequest,
    pk: int,
    *,
    key: str,
    make: Callable[[], Form],
    act: Callable[[Finding, Form], object],
    done: str,
) -> HttpResponse:
    finding, person = _finding(request, pk)
    form = make()
    if form.is_valid():
        try:
            act(finding, form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done)
            return redirect("audits:finding", pk=finding.pk)
    finding.refresh_from_db()
    return _detail(request, finding, person, status=400, **{key: form})


@login_required
@require_POST
def finding_plan(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner submits the improvement plan and its corrective actions."""
    return _posted(
        request,
        pk,
        key="plan_form",
        make=lambda: PlanForm(request.POST, prefix="plan"),
        act=lambda f, form: findings.submit_plan(
            f,
            actor=request.user,
            root_cause=form.cleaned_data["root_cause"],
            plan=form.cleaned_data["plan"],
            actions=form.cleaned_data["actions"],
        ),
        done=_("改善計画を提出しました。"),
    )


@login_required
@require_POST
def finding_close(request: HttpRequest, pk: int) -> HttpResponse:
    """The audit side closes the finding (its actions verified)."""
    return _posted(
        request,
        pk,
        key="close_form",
        make=lambda: ReasonForm(request.POST, prefix="close"),
        act=lambda f, form: findings.close_finding(
            f, actor=request.user, note=form.cleaned_data["reason"]
        ),
        done=_("指摘事項をクローズしました。"),
    )


@login_required
@require_POST
def finding_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """The CISO accepts the risk, with the reason."""
    return _posted(
        request,
        pk,
        key="accept_form",
        make=lambda: ReasonForm(request.POST, prefix="accept"),
        act=lambda f, form: findings.accept_risk(
            f, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        done=_("リスク受容を記録しました。"),
    )


@login_required
@require_POST
def finding_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The audit lead withdraws the finding, with the reason."""
    return _posted(
        request,
        pk,
        key="withdraw_form",
        make=lambda: ReasonForm(request.POST, prefix="withdraw"),
        act=lambda f, form: findings.withdraw(
            f, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        done=_("指摘事項を取り下げました。"),
    )


@login_required
@require_POST
def finding_deploy(request: HttpRequest, pk: int) -> HttpResponse:
    """The CISO asks other 課 to check for the same problem (10-1(6)イ)."""
    finding, _person = _finding(request, pk)
    return _posted(
        request,
        pk,
        key="deploy_form",
        make=lambda: DeployForm(request.POST, prefix="deploy", departments=_others(finding)),
        act=lambda f, form: horizontal.deploy(
            f, list(form.cleaned_data["departments"]), actor=request.user
        ),
        done=_("横展開を指示しました。"),
    )


@login_required
@require_POST
def finding_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """A 課's 管理者 answers 有 / 無 to the horizontal check on this finding."""
    finding, person = _finding(request, pk)
    check = HorizontalCheck.objects.filter(finding=finding, owner=person, answer="asked").first()
    if check is None:
        raise Http404("horizontal check")
    return _posted(
        request,
        pk,
        key="answer_form",
        make=lambda: AnswerForm(request.POST, prefix="answer"),
        act=lambda f, form: horizontal.answer(
            check,
            actor=request.user,
            found=form.cleaned_data["found"] == "yes",
            note=form.cleaned_data["note"],
        ),
        done=_("回答しました。"),
    )


@login_required
@require_GET
def finding_export(request: HttpRequest) -> HttpResponse:
    """The findings the user may list (as on the list page) and their 改善計画進捗表, .xlsx."""
    org, person = member(request)
    rows = queries.findings_for(org, request.user, person, mine=request.GET.get("mine") == "1")
    content = export_findings(list(rows.select_related("audit__programme")[:20000]))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="findings-{stamp}.xlsx"'
    return response
