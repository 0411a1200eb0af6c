"""The people side of account pages: changing a password clears the temporary-password mark."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import ChangePasswordForm as BaseChangePasswordForm

from kitei.people.services import clear_temporary_password


class ChangePasswordForm(BaseChangePasswordForm):
    """Changing the password clears the 'temporary password' mark (002 7-2(3)イ)."""

    def save(self) -> Any:
        result = super().save()
        clear_temporary_password(user=self.user, actor=self.user)
        return result
