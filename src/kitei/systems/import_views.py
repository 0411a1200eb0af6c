"""Pages that import the 情報システム台帳 from .xlsx or CSV and export it in the same format."""

from __future__ import annotations

from typing import Literal

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from kitei.core import access
from kitei.core.filters import InvalidFiltersError, refused_export
from kitei.core.models import Organization
from kitei.core.transfer import Format, ImportPage, download, import_page
from kitei.systems import import_task, transfer
from kitei.systems.filters import SystemFilterSet


def _organization(request: HttpRequest, permission: access.Permission) -> Organization:
    """The user's organisation, after checking the permission there (403 otherwise)."""
    org = access.organization_of(request.user)
    access.require(request.user, permission, org)
    assert org is not None  # require() refuses users without an organisation
    return org


@login_required
@require_http_methods(["GET", "POST"])
def systems_import(request: HttpRequest) -> HttpResponse:
    """Check an .xlsx or CSV 情報システム台帳 (a dry run) and import it when all is valid."""
    org = _organization(request, "systems.manage")
    may_manage = import_task.may_manage_for(request.user, org)
    page = ImportPage(
        register="systems",
        template="systems/import.html",
        done_url=reverse("systems:list"),
        check=lambda data: transfer.read_systems(org, data, may_manage=may_manage),
        write=lambda data, expected: transfer.import_systems(
            org, data, actor=request.user, may_manage=may_manage, expected=expected
        ),
        context={"headings": transfer.HEADINGS, "software_headings": transfer.SOFTWARE_HEADINGS},
        organization=org,
        rows=lambda plan: plan.rows,
    )
    return import_page(request, page)


@login_required
@require_GET
def systems_export(request: HttpRequest) -> HttpResponse:
    """The register as .xlsx with both sheets, or one list as CSV (?format=csv&sheet=software).

    The list's filters (SystemFilterSet) choose the systems, as on the page and in the API.
    """
    org = _organization(request, "systems.view")
    fmt: Format = "csv" if request.GET.get("format") == "csv" else "xlsx"
    sheet: Literal["systems", "software"] = (
        "software" if request.GET.get("sheet") == "software" else "systems"
    )
    filters = SystemFilterSet(request.GET, organization=org, allowed=("format", "sheet"))
    try:
        systems = filters.result()
    except InvalidFiltersError as exc:
        return refused_export(request, exc, reverse("systems:list"))
    stem = transfer.SOFTWARE_SHEET if fmt == "csv" and sheet == "software" else transfer.SHEET
    data = transfer.export_systems(org, fmt=fmt, sheet=sheet, systems=systems)
    return download(data, fmt, f"{stem}-{org.slug}")
