"""Gates every page: the organisation a user acts in, a temporary password, and TOTP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kitei.core import tenancy
from kitei.core.access import requires_mfa, start_request_cache

OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")
# The organisation chooser: open to a user who has not chosen yet (it shows no tenant data).
CHOOSER_PREFIX = "/organization/"


@dataclass(frozen=True, kw_only=True)
class Standing:
    """Where a user stands this request: their valid memberships and what is still missing."""

    valid: list[Any]
    must_choose: bool = False  # several valid memberships and none chosen
    lapsed: Any = None  # the membership that ended (or has not begun), when no other acts


def settle_membership(request: HttpRequest) -> Standing:
    """Bind the user's active membership for this request: the session's choice, if still
    valid, else the only valid one. Never binds an ended or not yet begun membership."""
    user = request.user
    valid = tenancy.valid_memberships(user)
    by_org = {m.organization_id: m for m in valid}
    chosen = request.session.get(tenancy.SESSION_KEY)
    if chosen in by_org:
        tenancy.bind(user, by_org[chosen])
        return Standing(valid=valid)
    tenancy.bind(user, None)
    if chosen is not None:  # the chosen membership ended (or was removed) since
        lapsed = tenancy.lapsed_membership(user, chosen)
        return Standing(valid=valid, lapsed=lapsed or tenancy.lapsed_membership(user))
    if len(valid) == 1:
        tenancy.bind(user, valid[0])
        return Standing(valid=valid)
    if valid:
        return Standing(valid=valid, must_choose=True)
    return Standing(valid=valid, lapsed=tenancy.lapsed_membership(user))


class SecurityGateMiddleware:
    """Settle the active organisation; refuse an ended membership; then send a user to
    change a temporary password, to choose an organisation, and to set up TOTP if required.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        standing = settle_membership(request) if user.is_authenticated else Standing(valid=[])
        request.kitei_memberships = standing.valid  # type: ignore[attr-defined]  # the switcher
        # Every permission check of this request reads the user's assignments once.
        start_request_cache(user)
        if user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            held = self._gate(request, standing)
            if held is not None:
                return held
        return self.get_response(request)

    def _gate(self, request: HttpRequest, standing: Standing) -> HttpResponse | None:
        if standing.lapsed is not None:
            request.session.pop(tenancy.SESSION_KEY, None)
            context = {
                "message": tenancy.lapse_message(standing.lapsed),
                "not_begun": tenancy.not_begun(standing.lapsed),
                "others": standing.valid,
            }
            return render(request, "core/membership_lapsed.html", context, status=403)
        if any(m.person.must_change_password for m in standing.valid):
            return redirect(reverse("account_change_password"))
        if standing.must_choose and not request.path.startswith(CHOOSER_PREFIX):
            return redirect(reverse("organization_choose"))
        user = request.user
        if (
            requires_mfa(user)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            return redirect(reverse("mfa_activate_totp"))
        return None
