"""Account policy: no self sign-up; a temporary password is changed at first login."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kitei.core import lockout


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators (kitei createadmin, the people register).

    Failed logins are limited per account and per address (kitei.core.lockout).
    """

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_failed_logins_from_address": _(
            "この端末（アドレス）からのログインの失敗が続いたため、しばらくログインできません"
            "（入力回数制限）。時間をおいてから、もう一度お試しください。"
        ),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's limits count by: X-Forwarded-For only from listed proxies."""
        return lockout.client_address(request)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        return lockout.account_key(credentials.get("username", ""))

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Count the attempt per address and per account before the password is checked."""
        usage, refused = lockout.consume(request, credentials.get("username", ""))
        self._login_failed_rl_usage = usage  # rolled back by allauth when the password is right
        if refused == "address":
            raise self.validation_error("too_many_failed_logins_from_address")
        if refused:
            raise self.validation_error("too_many_login_attempts")


class MFAAdapter(DefaultMFAAdapter):
    """Those who must use TOTP cannot switch it off (access.requires_mfa decides who, and
    any valid membership that needs TOTP)."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": _(
            "管理者及び管理的な役割の方は二要素認証を無効にできません。"
        ),
    }

    def can_delete_authenticator(self, authenticator: Any) -> bool:
        """Not while any valid membership needs TOTP (an external auditor's), whichever
        organisation is active, nor for those `requires_mfa` names."""
        from kitei.core import tenancy  # noqa: PLC0415 - app registry
        from kitei.core.access import requires_mfa  # noqa: PLC0415

        user = authenticator.user
        if any(m.requires_totp for m in tenancy.valid_memberships(user)):
            return False
        return not requires_mfa(user)
