"""Pages of the fiscal-year calendar, the organisation settings and the training records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kitei.core import access, evidence
from kitei.core.fiscal import fiscal_year_label, wareki_date
from kitei.core.models import Organization
from kitei.core.numbering import fiscal_year
from kitei.duties import (
    attendance_import,
    export,
    ical,
    orgsettings,
    queries,
    schedule,
    services,
    training,
)
from kitei.duties.choices import OccurrenceState, SettingSource
from kitei.duties.forms import CompleteForm, SettingForm, TrainingForm
from kitei.duties.models import TrainingSession
from kitei.people.models import Department, Person

SCOPE_LABELS = {
    "organization": gettext_lazy("組織全体"),
    "department": gettext_lazy("課"),
    "system": gettext_lazy("情報システム"),
    "person": gettext_lazy("職員"),
    "contract": gettext_lazy("契約"),
}


def _member(request: HttpRequest, permission: access.Permission) -> tuple[Organization, Person]:
    """The user's organisation and Person, after checking the permission there (403 otherwise)."""
    org = access.organization_of(request.user)
    access.require(request.user, permission, org)
    person = access.person_of(request.user)
    if org is None or not isinstance(person, Person):
        raise PermissionDenied(permission)
    return org, person


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or request.POST.get("year") or ""
    if not raw:
        return fiscal_year(timezone.localdate())
    try:
        return schedule.check_year(int(raw))
    except ValueError:
        raise ValidationError(_("年度は西暦の数字で指定してください（例: 2026）。")) from None


def _dates(period: tuple[date, date] | None) -> str:
    if period is None:
        return "—"
    return f"{wareki_date(period[0])}〜{wareki_date(period[1])}"


@dataclass(frozen=True, kw_only=True)
class Row:
    """A line of the calendar page."""

    occurrence: schedule.Occurrence
    period: str
    due: str
    source: str
    can_complete: bool


def _source(o: schedule.Occurrence) -> str:
    if o.interval_set_by == "seed":
        return str(SettingSource.SEED.label)
    if o.interval_set_by == "organization":
        return str(SettingSource.ORGANIZATION.label)
    return "—" if o.state in (OccurrenceState.STANDING, OccurrenceState.LOG) else _("未設定")


def _filters(request: HttpRequest) -> queries.Filters:
    def number(name: str) -> int | None:
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() and len(value) < 18 else None

    scope = request.GET.get("scope", "")
    return queries.Filters(
        scope=scope if scope in SCOPE_LABELS else "",
        state=request.GET.get("state", ""),
        person=number("person"),
        department=number("department"),
    )


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """The fiscal year's occurrences, filtered by scope, state, 課 and person."""
    org, me = _member(request, "duties.view")
    try:
        year = _year(request)
    except ValidationError as exc:
        return render(request, "duties/calendar.html", {"problem": exc.messages[0]}, status=400)
    filters = _filters(request)
    result = schedule.compute(org, year, scope_kind=filters.scope, person=filters.person)
    may_complete_any = access.check(request.user, "duties.complete", org).allowed
    rows = [
        Row(
            occurrence=o,
            period=_dates(o.period),
            due=wareki_date(o.due) if o.due else "—",
            source=_source(o),
            can_complete=o.state in services.COMPLETABLE
            and (may_complete_any or any(p.pk == me.pk for p in o.responsible)),
        )
        for o in queries.narrowed(result.occurrences, filters)
    ]
    states = [(queries.DUE, _("実施期間中・期限超過")), *OccurrenceState.choices]
    context = {
        "calendar": result,
        "rows": rows,
        "filters": filters,
        "scopes": list(SCOPE_LABELS.items()),
        "states": states,
        "people": access.scoped(Person.objects.all(), org).order_by("name"),
        "departments": access.scoped(Department.objects.all(), org).order_by("name"),
        "previous": (year - 1, fiscal_year_label(year - 1)),
        "next": (year + 1, fiscal_year_label(year + 1)),
        "me": me,
        "query": request.GET.urlencode(),
    }
    return render(request, "duties/calendar.html", context)


@login_required
def calendar_export(request: HttpRequest) -> HttpResponse:
    """The calendar as filtered, as .xlsx (dates as date cells, clause and quote per row)."""
    org, _me = _member(request, "duties.view")
    try:
        year = _year(request)
    except ValidationError as exc:
        return render(request, "duties/calendar.html", {"problem": exc.messages[0]}, status=400)
    filters = _filters(request)
    result = schedule.compute(org, year, scope_kind=filters.scope, person=filters.person)
    content = export.calendar_xlsx(result, queries.narrowed(result.occurrences, filters))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="duties-{year}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def complete(request: HttpRequest) -> HttpResponse:
    """Complete one occurrence by hand, with an evidence file."""
    org, _me = _member(request, "duties.view")
    try:
        year = _year(request)
        occurrence = services.find_occurrence(org, year, request.GET.get("key", ""))
    except ValidationError:
        raise Http404("occurrence") from None
    posted = request.method == "POST"
    form = CompleteForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            services.complete_occurrence(
                org,
                actor=request.user,
                year=year,
                key=occurrence.key,
                completed_on=data["completed_on"],
                note=data["note"],
                upload=data["file"],
                evidence_date=data["evidence_date"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("義務の完了を記録しました。"))
            return redirect(reverse("duties:calendar") + "?" + urlencode({"year": year}))
    context = {
        "occurrence": occurrence,
        "year": year,
        "period": _dates(occurrence.period),
        "form": form,
        "action": reverse("duties:complete")
        + "?"
        + urlencode({"year": year, "key": occurrence.key}),
    }
    return render(request, "duties/complete.html", context, status=400 if posted else 200)


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """Every value the seed leaves open, its source and basis; setting one (settings.manage)."""
    org, _me = _member(request, "duties.view")
    resolved = orgsettings.resolve_all(org)
    choices = [
        (r.key.key, f"{r.key.title}（{r.key.key}）") for r in resolved if r.key.seed_value is None
    ]
    can_set = access.check(request.user, "settings.manage", org).allowed
    posted = request.method == "POST"
    if posted:
        access.require(request.user, "settings.manage", org)
    form = SettingForm(
        request.POST if posted else None,
        choices=choices,
        initial={"key": request.GET.get("key", "")},
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            orgsettings.set_setting(
                org,
                actor=request.user,
                key=data["key"],
                value=data["value"],
                basis=data["basis"],
                decided_by=data["decided_by"],
                decided_on=data["decided_on"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("実施手順の値を記録しました。"))
            return redirect("duties:settings")
    context = {
        "resolved": resolved,
        "history": orgsettings.history(org),
        "form": form,
        "can_set": can_set,
    }
    return render(request, "duties/settings.html", context, status=400 if posted else 200)


def _training_form(org: Organization, data: Any = None) -> TrainingForm:
    duties = [(d.id, f"{d.title}（{d.clause}）") for d in services.training_duties(org)]
    people = [
        (str(p.pk), p.name) for p in access.scoped(Person.objects.all(), org).order_by("name")
    ]
    return TrainingForm(data, duties=duties, people=people)


@login_required
@require_http_methods(["GET", "POST"])
def training_list(request: HttpRequest) -> HttpResponse:
    """The training sessions, and recording a new one (training.manage)."""
    org, _me = _member(request, "duties.view")
    posted = request.method == "POST"
    if posted:
        access.require(request.user, "training.manage", org)
    form = _training_form(org, request.POST if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        chosen = access.scoped(Person.objects.all(), org).filter(pk__in=data["attendees"])
        try:
            session = services.record_training(
                org,
                actor=request.user,
                title=data["title"],
                held_on=data["held_on"],
                duty_id=data["duty"],
                attendees=list(chosen),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("研修・訓練を記録しました。"))
            return redirect("duties:training", session.pk)
    sessions = access.scoped(TrainingSession.objects.all(), org).order_by("-held_on", "-pk")
    year = fiscal_year(timezone.localdate())
    context = {
        "sessions": sessions,
        "year_label": fiscal_year_label(year),
        "coverage": [
            (duty, training.coverage(org, year, duty.id))
            for duty in services.training_duties(org)
            if duty.frequency != "as_needed"
        ],
        "untrained": [(u, wareki_date(u.joined)) for u in training.untrained(org, year)],
        "form": form,
        "can_record": access.check(request.user, "training.manage", org).allowed,
    }
    return render(request, "duties/training_list.html", context, status=400 if posted else 200)


@login_required
@require_http_methods(["GET", "POST"])
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A session: its attendees and its materials (evidence files)."""
    org, _me = _member(request, "duties.view")
    session = get_object_or_404(access.scoped(TrainingSession.objects.all(), org), pk=pk)
    posted = request.method == "POST"
    from kitei.core.forms import EvidenceForm  # noqa: PLC0415 - only this page uploads materials

    if posted and "attendance" in request.FILES:
        return _import_attendance(request, session)
    form = EvidenceForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            evidence.attach_evidence(
                org,
                actor=request.user,
                obj=session,
                upload=data["file"],
                evidence_date=data["evidence_date"],
                description=data["description"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("資料を添付しました。"))
            return redirect(reverse("duties:training", args=[session.pk]) + "#evidence")
    context = {
        "session": session,
        "held_on": wareki_date(session.held_on),
        "attendances": session.attendances.select_related("person__department").order_by(
            "person__name"
        ),
        "files": evidence.evidence_for(org, [session]).get(session.pk, []),
        "form": form,
        "can_attach": access.check(request.user, "training.manage", org).allowed,
        "action": reverse("duties:training", args=[session.pk]),
    }
    return render(request, "duties/training_detail.html", context, status=400 if posted else 200)


def _import_attendance(request: HttpRequest, session: TrainingSession) -> HttpResponse:
    """Attendances from an uploaded CSV/.xlsx: all recorded, or none and every problem listed."""
    upload = request.FILES.get("attendance")
    if upload is None or (upload.size is not None and upload.size > evidence.max_bytes()):
        messages.error(request, _("ファイルが大きすぎます。"))
        return redirect("duties:training", session.pk)
    result = attendance_import.import_attendance(session, actor=request.user, data=upload.read())
    if result.errors:
        context = {"session": session, "errors": result.errors}
        return render(request, "duties/attendance_errors.html", context, status=400)
    messages.success(request, _("%(n)d 名の出席を記録しました。") % {"n": result.added})
    return redirect("duties:training", session.pk)


def ical_feed(request: HttpRequest) -> HttpResponse:
    """The user's occurrences as an iCalendar feed (session, or `?token=` an API token)."""
    return ical.feed(request)
