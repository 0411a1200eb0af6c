"""Pages that import the 情報資産台帳 from .xlsx or CSV and export it in the same format."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from kitei.assets import import_task, transfer
from kitei.assets.filters import AssetFilterSet
from kitei.core import access
from kitei.core.filters import InvalidFiltersError, refused_export
from kitei.core.models import Organization
from kitei.core.transfer import WEB_MAX_ROWS, Format, ImportPage, download, import_page


def _organization(request: HttpRequest, permission: access.Permission) -> Organization:
    """The user's organisation, after checking the permission there (403 otherwise)."""
    org = access.organization_of(request.user)
    access.require(request.user, permission, org)
    assert org is not None  # require() refuses users without an organisation
    return org


@login_required
@require_http_methods(["GET", "POST"])
def assets_import(request: HttpRequest) -> HttpResponse:
    """Check an .xlsx or CSV 情報資産台帳 (a dry run) and import it when every row is valid."""
    org = _organization(request, "assets.manage")
    may_manage = import_task.may_manage_for(request.user)
    pack = access.engine_for(org.pack_id, org.pack_digest).pack
    page = ImportPage(
        register="assets",
        template="assets/import.html",
        done_url=reverse("assets:list"),
        check=lambda data: transfer.read_assets(
            org, data, may_manage=may_manage, max_rows=WEB_MAX_ROWS
        ),
        write=lambda data, expected: transfer.import_assets(
            org,
            data,
            actor=request.user,
            may_manage=may_manage,
            max_rows=WEB_MAX_ROWS,
            expected=expected,
        ),
        context={"headings": transfer.headings(pack), "max_rows": f"{WEB_MAX_ROWS:,}"},
        organization=org,
        rows=lambda plan: plan.rows,
    )
    return import_page(request, page)


@login_required
@require_GET
def assets_export(request: HttpRequest) -> HttpResponse:
    """The register as .xlsx (or CSV with ?format=csv), in the format the import reads.

    The list's filters (AssetFilterSet) choose the rows, as on the page and in the API.
    """
    org = _organization(request, "assets.view")
    fmt: Format = "csv" if request.GET.get("format") == "csv" else "xlsx"
    filters = AssetFilterSet(request.GET, organization=org, allowed=("format",))
    try:
        assets = filters.result()
    except InvalidFiltersError as exc:
        return refused_export(request, exc, reverse("assets:list"))
    data = transfer.export_assets(org, fmt=fmt, assets=assets)
    return download(data, fmt, f"{transfer.SHEET}-{org.slug}")
