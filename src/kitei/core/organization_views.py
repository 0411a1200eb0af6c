"""Choosing the organisation to act in: the chooser page and the header's switcher.

A user with memberships in several organisations acts in one at a time; the choice is kept
in the session and recorded in the audit trail of the organisation entered. Only a
membership valid today can be chosen (`kitei.core.tenancy`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kitei.core import access, tenancy
from kitei.core.choices import CoreAuditAction
from kitei.core.services import record_change


@login_required
@require_GET
def choose(request: HttpRequest) -> HttpResponse:
    """The organisations the user may act in today, each with a button to enter it."""
    valid = getattr(request, "kitei_memberships", None)
    if valid is None:
        valid = tenancy.valid_memberships(request.user)
    active = tenancy.active_membership(request.user)
    context = {"choices": valid, "active": active}
    return render(request, "core/organization_choose.html", context)


@login_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """Make the chosen organisation the active one, if the user's membership there is valid."""
    raw = request.POST.get("organization", "")
    membership = tenancy.membership_in(request.user, int(raw)) if raw.isdigit() else None
    if membership is None:
        lapsed = tenancy.lapsed_membership(request.user, int(raw)) if raw.isdigit() else None
        message = (
            tenancy.lapse_message(lapsed)
            if lapsed is not None
            else _("この組織に所属していないため、切り替えられません。")
        )
        context = {"choices": tenancy.valid_memberships(request.user), "error": message}
        return render(request, "core/organization_choose.html", context, status=403)
    if request.session.get(tenancy.SESSION_KEY) != membership.organization_id:
        _enter(request, membership)
    messages.success(
        request,
        _("「%(name)s」に切り替えました。") % {"name": membership.organization.name},
    )
    return redirect("home")


@transaction.atomic
def _enter(request: HttpRequest, membership: Any) -> None:
    """Bind the membership, check it opens the organisation, keep and record the choice."""
    tenancy.bind(request.user, membership)
    access.require(request.user, "org.view", membership.organization)
    request.session[tenancy.SESSION_KEY] = membership.organization_id
    record_change(
        membership.organization,
        actor=request.user,
        action=CoreAuditAction.SWITCH_ORGANIZATION,
        obj=membership,
        after={
            "user": request.user.get_username(),
            "kind": membership.kind,
            "valid_until": membership.valid_until,
        },
    )
