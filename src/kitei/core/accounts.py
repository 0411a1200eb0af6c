"""Account policy: no self sign-up; a temporary password is changed at first login."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import ChangePasswordForm as BaseChangePasswordForm
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators (kitei createadmin, the people register)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


class ChangePasswordForm(BaseChangePasswordForm):
    """Changing the password clears the 'temporary password' mark (002 7-2(3)イ)."""

    def save(self) -> Any:
        from kitei.people.services import clear_temporary_password  # noqa: PLC0415 - app registry

        result = super().save()
        clear_temporary_password(user=self.user, actor=self.user)
        return result


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
