"""Pages of the audits: the programmes, one year's audits, one audit (auditors with their
independence verdict, working papers, evidence, findings, the report and its seal)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kitei.audits import findings, queries, services
from kitei.audits.choices import AuditMethod, AuditState
from kitei.audits.forms import (
    AppointForm,
    AuditForm,
    FindingForm,
    PaperForm,
    ProgrammeForm,
    ReportForm,
)
from kitei.audits.models import Audit, AuditProgramme, WorkingPaper
from kitei.audits.workflow import AUDIT_WORKFLOW
from kitei.core import access, workflow
from kitei.core.fiscal import fiscal_year, fiscal_year_label
from kitei.core.forms import EvidenceForm
from kitei.core.models import EvidenceFile, Organization
from kitei.people.models import Person


def member(request: HttpRequest) -> tuple[Organization, Person]:
    """The user's organisation and Person (403 for anyone else)."""
    org = access.organization_of(request.user)
    person = access.person_of(request.user)
    if org is None or not isinstance(person, Person):
        raise PermissionDenied("audits")
    return org, person


def _audit(request: HttpRequest, pk: int) -> tuple[Audit, Person]:
    org, person = member(request)
    audit = (
        access.scoped(Audit.objects.all(), org)
        .select_related("organization", "programme")
        .filter(pk=pk)
        .first()
    )
    if audit is None or not queries.may_view_audit(request.user, person, audit):
        raise Http404("audit")
    return audit, person


@login_required
@require_http_methods(["GET", "POST"])
def programme_list(request: HttpRequest) -> HttpResponse:
    """The audit programmes by fiscal year, and creating one (audits.manage)."""
    org, person = member(request)
    can_manage = access.check(request.user, "audits.manage", org).allowed
    posted = request.method == "POST"
    form = ProgrammeForm(
        request.POST if posted else None, initial={"fiscal_year": fiscal_year(timezone.localdate())}
    )
    if posted:
        access.require(request.user, "audits.manage", org)
        if form.is_valid():
            try:
                programme = services.create_programme(
                    org,
                    actor=request.user,
                    fiscal_year=form.cleaned_data["fiscal_year"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("監査計画を作成しました。"))
                return redirect("audits:programme", year=programme.fiscal_year)
    programmes = access.scoped(AuditProgramme.objects.all(), org)
    audits = queries.visible_audits(org, request.user, person)
    state = request.GET.get("state", "")
    if state in AuditState.values:
        audits = audits.filter(state=state)
    context = {
        "programmes": [(p, fiscal_year_label(p.fiscal_year)) for p in programmes],
        "audits": audits.order_by("-created_at")[:200],
        "form": form,
        "can_manage": can_manage,
    }
    return render(request, "audits/programmes.html", context, status=400 if posted else 200)


@login_required
@require_http_methods(["GET", "POST"])
def programme_detail(request: HttpRequest, year: int) -> HttpResponse:
    """One fiscal year's audits, and planning one (audits.manage)."""
    org, _person = member(request)
    programme = access.scoped(AuditProgramme.objects.all(), org).filter(fiscal_year=year).first()
    if programme is None:
        raise Http404("programme")
    access.require(request.user, "audits.view", org)
    posted = request.method == "POST"
    form = AuditForm(request.POST if posted else None, organization=org)
    if posted:
        access.require(request.user, "audits.manage", org)
        if form.is_valid():
            data = form.cleaned_data
            try:
                audit = services.plan_audit(
                    programme,
                    actor=request.user,
                    title=data["title"],
                    kind=data["kind"],
                    departments=list(data["departments"]),
                    systems=list(data["systems"]),
                    contracts=form.contract_names(),
                    auditees=list(data["auditees"]),
                    criteria=form.criteria_items(),
                    methods=data["methods"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("監査を計画しました。"))
                return redirect("audits:detail", pk=audit.pk)
    context = {
        "programme": programme,
        "label": fiscal_year_label(programme.fiscal_year),
        "audits": programme.audits.order_by("starts_on", "pk"),
        "form": form,
        "can_manage": access.check(request.user, "audits.manage", org).allowed,
    }
    return render(request, "audits/programme.html", context, status=400 if posted else 200)


FILES_SHOWN = 100  # the page lists the newest; the package and the seal hold them all
PAPERS_SHOWN = 100  # likewise for working papers, unless ?papers=all


def _papers(request: HttpRequest, audit: Audit) -> list[WorkingPaper]:
    """The working papers in order: all with ?papers=all, else the newest PAPERS_SHOWN."""
    rows = audit.papers.select_related("recorded_by")
    if request.GET.get("papers") == "all":
        return list(rows.order_by("recorded_at", "pk"))
    newest = list(rows.order_by("-recorded_at", "-pk")[:PAPERS_SHOWN])
    return newest[::-1]


def _files_of(audit: Audit) -> QuerySet[EvidenceFile]:
    return access.scoped(EvidenceFile.objects.all(), audit.organization).filter(
        supports_type=ContentType.objects.get_for_model(Audit), supports_id=audit.pk
    )


def _newest_files(audit: Audit) -> list[EvidenceFile]:
    return list(_files_of(audit).order_by("-uploaded_at", "-pk")[:FILES_SHOWN])


def _detail(request: HttpRequest, audit: Audit, *, status: int = 200, **forms: Any) -> HttpResponse:
    org = audit.organization
    events = {
        e.value for e in workflow.available_events(audit, table=AUDIT_WORKFLOW, actor=request.user)
    }
    can_manage = access.check(request.user, "audits.manage", audit).allowed
    person = access.person_of(request.user)
    auditor = isinstance(person, Person) and audit.appointments.filter(person=person).exists()
    audit_side = (can_manage or auditor) and not audit.sealed
    departments = audit.departments.all()
    context = {
        "audit": audit,
        "label": fiscal_year_label(audit.programme.fiscal_year),
        "departments": departments,
        "systems": audit.systems.all(),
        "auditees": audit.auditees.all(),
        "methods": [AuditMethod(m).label for m in audit.methods if m in AuditMethod.values],
        "appointments": audit.appointments.select_related("person"),
        "papers": _papers(request, audit),
        "paper_count": audit.papers.count(),
        "paper_limit": PAPERS_SHOWN,
        "all_papers": request.GET.get("papers") == "all",
        "findings": audit.findings.select_related("department", "owner"),
        "files": _newest_files(audit),
        "file_count": _files_of(audit).count(),
        "file_limit": FILES_SHOWN,
        "verdict": forms.get("verdict"),
        "can_manage": can_manage and not audit.sealed,
        "can_copy": can_manage,
        "audit_side": audit_side,
        "can_addendum": (can_manage or auditor) and audit.sealed,
        "can_start": "start" in events,
        "can_issue": "issue" in events,
        "can_receive": "receive" in events,
        "appoint_form": forms.get("appoint_form")
        or AppointForm(prefix="appoint", organization=org),
        "paper_form": forms.get("paper_form") or PaperForm(prefix="paper"),
        "finding_form": forms.get("finding_form")
        or FindingForm(prefix="finding", departments=departments),
        "report_form": forms.get("report_form") or ReportForm(prefix="report"),
        "form": forms.get("form") or EvidenceForm(),
        "can_attach": audit_side,
        "action": reverse("audits:evidence", args=[audit.pk]),
    }
    return render(request, "audits/detail.html", context, status=status)


@login_required
@require_GET
def audit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One audit."""
    audit, _person = _audit(request, pk)
    return _detail(request, audit)


def _posted(
    request: HttpRequest,
    pk: int,
    *,
    make: Callable[[Audit], Form],
    key: str,
    act: Callable[[Audit, Form], object],
    done: str,
) -> HttpResponse:
    audit, _person = _audit(request, pk)
    form = make(audit)
    if form.is_valid():
        try:
            act(audit, form)
        except services.NotIndependentError as exc:
            form.add_error(None, exc)
            return _detail(request, audit, status=400, verdict=exc.verdict, **{key: form})
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done)
            return redirect("audits:detail", pk=audit.pk)
    audit.refresh_from_db()
    return _detail(request, audit, status=400, **{key: form})


@login_required
@require_POST
def audit_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    """Appoint an auditor; a refusal shows the independence verdict with its clauses."""
    return _posted(
        request,
        pk,
        make=lambda a: AppointForm(request.POST, prefix="appoint", organization=a.organization),
        key="appoint_form",
        act=lambda a, f: services.appoint_auditor(
            a,
            f.cleaned_data["person"],
            actor=request.user,
            is_lead=f.cleaned_data["is_lead"],
            reason=f.cleaned_data["reason"],
            competence=f.cleaned_data["competence"],
        ),
        done=_("監査人を指名しました。"),
    )


@login_required
@require_POST
def audit_paper(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a working paper (or, after the seal, an addendum)."""

    def act(a: Audit, f: Form) -> object:
        record = services.record_addendum if a.sealed else services.record_working_paper
        return record(
            a, actor=request.user, item=f.cleaned_data["item"], text=f.cleaned_data["text"]
        )

    return _posted(
        request,
        pk,
        make=lambda a: PaperForm(request.POST, prefix="paper"),
        key="paper_form",
        act=act,
        done=_("記録しました。"),
    )


@login_required
@require_POST
def audit_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach audit evidence (refused once sealed)."""
    return _posted(
        request,
        pk,
        make=lambda a: EvidenceForm(request.POST, request.FILES),
        key="form",
        act=lambda a, f: services.attach_audit_evidence(
            a,
            actor=request.user,
            upload=f.cleaned_data["file"],
            evidence_date=f.cleaned_data["evidence_date"],
            description=f.cleaned_data["description"],
        ),
        done=_("証拠ファイルを添付しました。"),
    )


@login_required
@require_POST
def audit_finding(request: HttpRequest, pk: int) -> HttpResponse:
    """Raise a finding on one audited 課."""
    return _posted(
        request,
        pk,
        make=lambda a: FindingForm(request.POST, prefix="finding", departments=a.departments.all()),
        key="finding_form",
        act=lambda a, f: findings.raise_finding(
            a,
            actor=request.user,
            kind=f.cleaned_data["kind"],
            title=f.cleaned_data["title"],
            department=f.cleaned_data["department"],
            clause=f.cleaned_data["clause"],
            quote=f.cleaned_data["quote"],
            description=f.cleaned_data["description"],
            due=f.cleaned_data["due"],
        ),
        done=_("指摘事項を起票しました。"),
    )


@login_required
@require_POST
def audit_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue the report to the CISO and seal the audit."""
    return _posted(
        request,
        pk,
        make=lambda a: ReportForm(request.POST, prefix="report"),
        key="report_form",
        act=lambda a, f: services.issue_report(
            a, actor=request.user, report=f.cleaned_data["report"]
        ),
        done=_("監査報告書を発行し、監査を封印しました。"),
    )


@login_required
@require_POST
def audit_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the fieldwork."""
    audit, _person = _audit(request, pk)
    try:
        services.start_audit(audit, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("audits:detail", pk=audit.pk)


@login_required
@require_POST
def audit_receive(request: HttpRequest, pk: int) -> HttpResponse:
    """The CISO records receipt of the report."""
    audit, _person = _audit(request, pk)
    try:
        services.receive_report(audit, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("監査報告書の受領を記録しました。"))
    return redirect("audits:detail", pk=audit.pk)


@login_required
@require_POST
def audit_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy the audit into the next fiscal year's programme (made if missing), statuses reset."""
    audit, _person = _audit(request, pk)
    access.require(request.user, "audits.manage", audit)
    year = audit.programme.fiscal_year + 1
    try:
        programme = access.scoped(AuditProgramme.objects.all(), audit.organization).filter(
            fiscal_year=year
        ).first() or services.create_programme(
            audit.organization, actor=request.user, fiscal_year=year
        )
        copy = services.copy_audit(audit, programme, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("audits:detail", pk=audit.pk)
    messages.success(request, _("翌年度の監査計画に複写しました（状態はすべて初期化）。"))
    return redirect("audits:detail", pk=copy.pk)
