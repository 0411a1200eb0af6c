"""The audit trail pages: the records in words for an auditor, and their .xlsx export.

Both need `audit.read` on the organisation (the pack's grant, e.g. 監査を行う者 10-1(2)ア).
Reading is not a change: neither page writes a ChangeRecord.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kitei.core import access, audit, audit_display, audit_export, audit_queries
from kitei.core.forms import AuditFilterForm
from kitei.core.models import Organization
from kitei.core.transfer import download


def _organization(request: HttpRequest) -> Organization:
    """The viewer's organisation, once `audit.read` is granted there (else a 403 with reasons)."""
    org = access.organization_of(request.user)
    access.require(request.user, "audit.read", org)
    assert org is not None  # require refuses a user without an organisation
    return org


def _form(request: HttpRequest, org: Organization) -> AuditFilterForm:
    return AuditFilterForm(
        request.GET,
        actions=audit.choices(),
        actors=audit_queries.actor_choices(org),
        object_types=audit_display.kinds(),
    )


def _filters(form: AuditFilterForm) -> audit_queries.AuditFilters:
    data = form.cleaned_data
    return audit_queries.AuditFilters(
        action=data.get("action") or "",
        actor=data.get("actor") or "",
        object_type=data.get("object_type") or "",
        object_id=data.get("object_id") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The trail, newest first, 50 a page cut by number; filters by action, person, object, date."""
    org = _organization(request)
    form = _form(request, org)
    context: dict[str, Any] = {"org": org, "form": form}
    if not form.is_valid():
        return render(request, "core/audit_log.html", context, status=400)
    filters = _filters(form)
    page = audit_queries.window(
        audit_queries.records(org, filters),
        before=form.cleaned_data.get("before"),
        after=form.cleaned_data.get("after"),
    )
    entries = audit_queries.entries(org, page.records, viewer=request.user)
    context.update(
        filters=filters, page=page, entries=entries, history_of=_history_of(filters, entries)
    )
    return render(request, "core/audit_log.html", context)


def _history_of(filters: audit_queries.AuditFilters, entries: list[audit_queries.Entry]) -> str:
    """The one object whose history is shown, in words (情報資産「本会議 会議録」), or ''."""
    if not (filters.object_type and filters.object_id):
        return ""
    label = audit_display.type_label(filters.object_type)
    name = entries[0].object_name if entries else f"#{filters.object_id}"
    return f"{label}「{name}」"


@login_required
def audit_export_view(request: HttpRequest) -> HttpResponse:
    """The filtered records as .xlsx; too many is refused with a Japanese message (400)."""
    org = _organization(request)
    form = _form(request, org)
    if not form.is_valid():
        return render(request, "core/audit_log.html", {"org": org, "form": form}, status=400)
    filters = _filters(form)
    limit = audit_export.max_rows()
    if audit_queries.records(org, filters)[: limit + 1].count() > limit:
        form.add_error(
            None,
            _("書き出せるのは %(limit)s 件までです。期間などで絞り込んでから書き出してください。")
            % {"limit": f"{limit:,}"},
        )
        return render(request, "core/audit_log.html", {"org": org, "form": form}, status=400)
    content = audit_export.export(org, filters, viewer=request.user)
    return download(content, "xlsx", f"{_('監査証跡')}-{org.slug}")
