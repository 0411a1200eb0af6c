"""Pages of incidents: the list with filters, filing, an incident with its steps and timeline."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kitei.core import access, workflow
from kitei.core.fiscal import fiscal_year, fiscal_year_label, wareki_date
from kitei.core.models import Organization
from kitei.corrective import queries as corrective_queries
from kitei.incidents import books, horizontal, manual, queries, services, timeline, visibility
from kitei.incidents.choices import EntryKind, Flag, IncidentState, StepState
from kitei.incidents.forms import (
    AcknowledgeForm,
    DecideForm,
    EntryForm,
    FileForm,
    MoveForm,
    PreventionActionForm,
    SeverityForm,
)
from kitei.incidents.models import Incident, ReportStep, TimelineEntry
from kitei.incidents.prevention import OPEN_FOR_ACTIONS, raise_prevention_action
from kitei.incidents.workflow import INCIDENT_WORKFLOW
from kitei.people.models import Person
from kitei.systems.models import System

PAGE_SIZE = 50


def _member(request: HttpRequest, permission: access.Permission) -> tuple[Organization, Person]:
    org = access.organization_of(request.user)
    access.require(request.user, permission, org)
    person = access.person_of(request.user)
    if org is None or not isinstance(person, Person):
        raise PermissionDenied(permission)
    return org, person


def _incident(request: HttpRequest, org: Organization, pk: int) -> Incident:
    """The incident of the organisation the user may see, or 404 (need-to-know included)."""
    incident = Incident.objects.filter(organization=org, pk=pk).select_related("reporter").first()
    if incident is None or not visibility.can_see(request.user, incident):
        raise Http404
    return incident


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    """The organisation's incidents, filtered by state, kind, fiscal year, waiting on me."""
    org, person = _member(request, "incidents.view")
    pack = services.pack_of(org)
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else None
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    waiting = request.GET.get("waiting") == "me"
    incidents = queries.filtered(
        queries.visible(org, request.user),
        state=state if state in IncidentState.values else "",
        kind=kind,
        year=year,
        waiting_for=person if waiting else None,
    ).select_related("reporter")
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    this_year = fiscal_year(timezone.localdate())
    years = [(y, fiscal_year_label(y)) for y in range(this_year, this_year - 5, -1)]
    return render(
        request,
        "incidents/list.html",
        {
            "page": page,
            "states": IncidentState.choices,
            "kinds": [(k.id, k.title) for k in pack.incident_kinds],
            "years": years,
            "filters": {"state": state, "kind": kind, "year": year, "waiting": waiting},
            "query": urlencode({k: v for k, v in request.GET.items() if k != "page" and v}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def file_view(request: HttpRequest) -> HttpResponse:
    """File an incident (anyone in the organisation)."""
    org, _person = _member(request, "incidents.file")
    pack = services.pack_of(org)
    form = FileForm(request.POST or None, organization=org, pack=pack)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.file_incident(
                org,
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                detected_at=data["detected_at"],
                occurred_at=data["occurred_at"],
                source=data["source"],
                flags=data["flags"],
                systems=list(data["systems"]),
                assets=list(data["assets"]),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("インシデント %(n)s を報告しました。") % {"n": incident.number}
            )
            return redirect("incidents:detail", incident.pk)
    return render(
        request,
        "incidents/file.html",
        {"form": form, "manual": not pack.incident_kinds, "pack": pack},
        status=400 if form.errors else 200,
    )


def _elapsed(since: Any, until: Any) -> str:
    minutes = int(((until or timezone.now()) - since).total_seconds() // 60)
    if minutes < 60:
        return _("%(m)d分") % {"m": minutes}
    if minutes < 60 * 24:
        return _("%(h)d時間%(m)d分") % {"h": minutes // 60, "m": minutes % 60}
    return _("%(d)d日%(h)d時間") % {"d": minutes // 1440, "h": minutes % 1440 // 60}


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One incident: its steps (who, clause, quote, timing, elapsed), timeline, triage."""
    org, _person = _member(request, "incidents.view")
    incident = visibility.read_incident(_incident(request, org, pk), actor=request.user)
    pack = services.pack_of(incident)
    steps = list(incident.steps.prefetch_related("recipients__user").select_related("system"))
    rows = []
    for step in steps:
        start = step.sent_at or step.opened_at
        rows.append(
            {
                "step": step,
                "recipients": list(step.recipients.all()),
                "elapsed": _elapsed(start, step.acknowledged_at) if start else "",
                "can_ack": services.can_acknowledge(request.user, step),
                "horizontal": horizontal.is_horizontal(step),
                "can_decide": step.decision_required
                and not step.decision
                and step.opened_at is not None
                and visibility.is_triage(request.user, incident),
            }
        )
    triage = visibility.is_triage(request.user, incident)
    events = workflow.available_events(incident, table=INCIDENT_WORKFLOW, actor=request.user)
    entries = incident.timeline.values_list(
        "pk", "kind", "text", "event_at", "recorded_at", "corrects_id", "author__name"
    )
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "reported_on": wareki_date(timezone.localdate(incident.reported_at)),
            "rows": rows,
            "timeline_rows": _timeline_rows(entries),
            "events": [(e.value, e.label, services.clause_for(incident, e.value)) for e in events]
            if triage
            else [],
            "pack": pack,
            "move_form": MoveForm(),
            "entry_form": EntryForm(initial={"event_at": timezone.localtime()}),
            "decide_form": DecideForm(),
            "ack_form": AcknowledgeForm(),
            "state_label": IncidentState(incident.state).label,
            "flag_labels": [
                dict(Flag.choices).get(f)
                or {lv.id: lv.title for lv in pack.severity_levels}.get(f, f)
                for f in incident.flags
            ],
            "sent": StepState.SENT,
            "triage": triage,
            "keeps_cause": books.keeps_cause(pack),
            "systems": System.objects.filter(organization=org).order_by("name"),
            "severity_form": SeverityForm(pack=pack) if pack.severity_levels else None,
            "prevention_form": PreventionActionForm(organization=org)
            if triage and incident.state in OPEN_FOR_ACTIONS
            else None,
            "actions": corrective_queries.for_source(
                org, ContentType.objects.get_for_model(Incident).pk, incident.pk
            ),
        },
    )


def _timeline_rows(entries: Any) -> str:
    """The timeline's table rows, built in Python: a page may hold thousands of entries.

    Every value is escaped with `html.escape`; the numbers are integers.
    """
    kinds = {value: escape(str(label)) for value, label in EntryKind.choices}
    local = timezone.get_current_timezone()
    corrected = _("記録 %(n)s の訂正")

    def when(value: Any) -> str:
        return str(value.astimezone(local).strftime("%Y-%m-%d %H:%M"))

    rows = []
    for pk, kind, text, event_at, recorded_at, corrects_id, author in entries:
        body = escape(text).replace("\r\n", "\n").replace("\n", "<br>")
        if corrects_id:
            body = f"{escape(corrected % {'n': int(corrects_id)})}: {body}"
        rows.append(
            f'<tr id="entry-{int(pk)}"><td>{int(pk)}</td><td>{when(event_at)}</td>'
            f"<td>{when(recorded_at)}</td><td>{kinds.get(kind, escape(kind))}</td>"
            f"<td>{body}</td><td>{escape(author)}</td></tr>"
        )
    return mark_safe("\n".join(rows))


def _step(request: HttpRequest, org: Organization, step: int) -> ReportStep:
    """A report step of an incident of the organisation the user may see, or 404."""
    found = ReportStep.objects.filter(organization=org, pk=step).first()
    if found is None:
        raise Http404
    _incident(request, org, found.incident_id)
    return found


def _fail(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text or _("この操作はできません。"))


@login_required
@require_POST
def acknowledge(request: HttpRequest, step: int) -> HttpResponse:
    """Record receipt of a report (a recipient; for a party, the reporter or the CSIRT)."""
    org, _person = _member(request, "incidents.view")
    row = _step(request, org, step)
    pk = row.incident_id
    form = AcknowledgeForm(request.POST)
    means = form.cleaned_data["means"] if form.is_valid() else ""
    try:
        services.acknowledge_step(row, actor=request.user, means=means)
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("受領を記録しました。"))
    return redirect("incidents:detail", pk)


@login_required
@require_POST
def decide(request: HttpRequest, step: int) -> HttpResponse:
    """The CSIRT decides a 「必要に応じて」 step."""
    org, _person = _member(request, "incidents.view")
    row = _step(request, org, step)
    pk = row.incident_id
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("判断と理由を入力してください。"))
        return redirect("incidents:detail", pk)
    chosen = System.objects.filter(organization=org, pk__in=request.POST.getlist("systems"))
    try:
        if form.cleaned_data["report"] and chosen:
            horizontal.request_horizontal_check(
                row, actor=request.user, systems=list(chosen), reason=form.cleaned_data["reason"]
            )
        else:
            services.decide_step(
                row,
                actor=request.user,
                report=form.cleaned_data["report"],
                reason=form.cleaned_data["reason"],
            )
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("incidents:detail", pk)


@login_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """A triage transition (CSIRT)."""
    org, _person = _member(request, "incidents.view")
    incident = _incident(request, org, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("操作が正しくありません。"))
        return redirect("incidents:detail", pk)
    data = form.cleaned_data
    try:
        services.move_incident(
            incident,
            data["event"],
            actor=request.user,
            reason=data["reason"],
            prevention=data["prevention"],
            instruction=data["instruction"],
            cause=data["cause"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("incidents:detail", pk)


@login_required
@require_POST
def add_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Append a timeline entry (people on the chain)."""
    org, _person = _member(request, "incidents.view")
    incident = _incident(request, org, pk)
    form = EntryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("経過記録の入力に誤りがあります。"))
        return redirect("incidents:detail", pk)
    data = form.cleaned_data
    corrects = None
    if data["corrects"]:
        corrects = TimelineEntry.objects.filter(incident=incident, pk=data["corrects"]).first()
        if corrects is None:
            messages.error(request, _("訂正する記録がこのインシデントにありません。"))
            return redirect("incidents:detail", pk)
    try:
        timeline.add_timeline_entry(
            incident,
            actor=request.user,
            kind=data["kind"],
            text=data["text"],
            event_at=data["event_at"],
            corrects=corrects,
        )
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("incidents:detail", pk)


@login_required
@require_POST
def judge(request: HttpRequest, pk: int) -> HttpResponse:
    """The CSIRT judges the severity (levels the seed names only)."""
    org, _person = _member(request, "incidents.view")
    incident = _incident(request, org, pk)
    form = SeverityForm(request.POST, pack=services.pack_of(incident))
    if not form.is_valid():
        messages.error(request, _("重大度と判断の理由を入力してください。"))
        return redirect("incidents:detail", pk)
    try:
        services.judge_severity(
            incident,
            actor=request.user,
            severity=form.cleaned_data["severity"],
            reason=form.cleaned_data["reason"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("incidents:detail", pk)


@login_required
@require_POST
def prevention_action(request: HttpRequest, pk: int) -> HttpResponse:
    """A prevention measure becomes a corrective action (owner, due date)."""
    org, _person = _member(request, "incidents.view")
    incident = _incident(request, org, pk)
    form = PreventionActionForm(request.POST, organization=org)
    if not form.is_valid():
        messages.error(request, _("措置と担当者を入力してください。"))
        return redirect("incidents:detail", pk)
    data = form.cleaned_data
    try:
        action = raise_prevention_action(
            incident, actor=request.user, title=data["title"], owner=data["owner"], due=data["due"]
        )
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("是正措置 %(n)s を起票しました。") % {"n": action.number})
    return redirect("incidents:detail", pk)


@login_required
@require_POST
def manual_step(request: HttpRequest, pk: int) -> HttpResponse:
    """The 情報政策担当 records a report made by hand (packs without a chain)."""
    org, _person = _member(request, "incidents.view")
    incident = _incident(request, org, pk)
    try:
        manual.add_manual_step(
            incident,
            actor=request.user,
            to=request.POST.get("to", ""),
            means=request.POST.get("means", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        _fail(request, exc)
    return redirect("incidents:detail", pk)
