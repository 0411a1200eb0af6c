"""Gates every page: a temporary password must be changed, and administrators need TOTP."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from kitei.core.access import person_of, requires_mfa, start_request_cache

OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")


class SecurityGateMiddleware:
    """Send a user to change a temporary password, then to set up TOTP if required."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        # Every permission check of this request reads the user's assignments once.
        start_request_cache(user)
        if user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            person = person_of(user)
            if person is not None and getattr(person, "must_change_password", False):
                return redirect(reverse("account_change_password"))
            if (
                requires_mfa(user)
                and not Authenticator.objects.filter(
                    user=user, type=Authenticator.Type.TOTP
                ).exists()
            ):
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
