"""The people side of account pages: password and two-factor changes enter the audit trail.

A person changes their own password and TOTP on allauth's pages; kitei records each change in
the audit trail of every organisation the account belongs to (the account is shared), so an
auditor sees it beside what the administrators did. The first change of a temporary password
also clears its mark.
"""

from __future__ import annotations

from typing import Any

from allauth.account.forms import ChangePasswordForm as BaseChangePasswordForm
from allauth.mfa import signals as mfa_signals
from django.db import transaction

from kitei.core.services import record_change
from kitei.people.choices import PeopleAuditAction
from kitei.people.models import Person
from kitei.people.services import clear_temporary_password


def record_account_change(user: Any, action: PeopleAuditAction, after: dict[str, Any]) -> int:
    """Write `action` to the audit trail of each organisation the account has a person in."""
    people = Person.objects.filter(user_id=user.pk).select_related("organization").order_by("pk")
    count = 0
    with transaction.atomic():  # allauth's signals fire after its own change is saved
        for person in people:
            record_change(person.organization, actor=user, action=action, obj=person, after=after)
            count += 1
    return count


class ChangePasswordForm(BaseChangePasswordForm):
    """Changing the password clears the 'temporary password' mark (002 7-2(3)イ), recorded."""

    def save(self) -> Any:
        with transaction.atomic():
            result = super().save()
            if not clear_temporary_password(user=self.user, actor=self.user):
                record_account_change(
                    self.user, PeopleAuditAction.CHANGE_PASSWORD, {"password": "changed"}
                )
        return result


def _authenticator_after(authenticator: Any) -> dict[str, Any]:
    return {"type": str(getattr(authenticator, "type", ""))}


def _added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record_account_change(
        user, PeopleAuditAction.ADD_AUTHENTICATOR, _authenticator_after(authenticator)
    )


def _removed(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record_account_change(
        user, PeopleAuditAction.REMOVE_AUTHENTICATOR, _authenticator_after(authenticator)
    )


def _reset(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record_account_change(
        user, PeopleAuditAction.RESET_AUTHENTICATOR, _authenticator_after(authenticator)
    )


def connect() -> None:
    """Record two-factor changes made on allauth's pages (called by `PeopleConfig.ready`)."""
    mfa_signals.authenticator_added.connect(_added, dispatch_uid="kitei.people.mfa_added")
    mfa_signals.authenticator_removed.connect(_removed, dispatch_uid="kitei.people.mfa_removed")
    mfa_signals.authenticator_reset.connect(_reset, dispatch_uid="kitei.people.mfa_reset")
