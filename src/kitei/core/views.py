"""Pages of the core app: the organisation's home page (the audit trail: audit_views)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kitei.core import access, registry


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The organisation's home page: what waits on the user, their roles, the figures.

    The lines of 「あなたの対応待ち」 and the cards of figures come from the providers the
    apps register (`kitei.core.registry`); core knows none of the apps.
    """
    org = access.organization_of(request.user)
    context: dict[str, object] = {"org": org}
    if org is not None:
        access.require(request.user, "org.view", org)
        engine = access.engine_for(org.pack_id, org.pack_digest)
        titles = {r.id: r.title for r in engine.pack.roles}
        person = access.person_of(request.user)
        items = registry.home_items(request, org, person) if person is not None else []
        context.update(
            pack=engine.pack,
            my_roles=sorted(titles.get(r, r) for r in access.held_roles(request.user)),
            can_read_audit=access.check(request.user, "audit.read", org).allowed,
            waiting=items,
            waiting_total=sum(item.count for item in items if not item.within),
            figures=registry.home_figures(request, org),
        )
    return render(request, "core/home.html", context)
