"""Pages of the core app: the organisation's home page (the audit trail: audit_views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kitei.approvals import views as approval_views
from kitei.assets import queries as asset_queries
from kitei.core import access
from kitei.core.models import Organization
from kitei.systems import queries as system_queries
from kitei.systems.models import System


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The organisation's home page: its policy pack and what the user holds."""
    org = access.organization_of(request.user)
    context: dict[str, object] = {"org": org}
    if org is not None:
        access.require(request.user, "org.view", org)
        engine = access.engine_for(org.pack_id, org.pack_digest)
        titles = {r.id: r.title for r in engine.pack.roles}
        context.update(
            pack=engine.pack,
            my_roles=sorted(titles.get(r, r) for r in access.held_roles(request.user)),
            can_read_audit=access.check(request.user, "audit.read", org).allowed,
        )
        context.update(_register_figures(request, org))
        context.update(approval_views.home_figures(request, org))
    return render(request, "core/home.html", context)


def _register_figures(request: HttpRequest, org: Organization) -> dict[str, object]:
    """The registers' figures for the home page: assets by class and department, systems."""
    if not access.check(request.user, "assets.view", org).allowed:
        return {}
    today = timezone.localdate()
    return {
        "asset_counts": asset_queries.counts(org),
        "system_count": access.scoped(System.objects.all(), org).count(),
        "flagged_software": system_queries.flagged_software(org, today),
    }
