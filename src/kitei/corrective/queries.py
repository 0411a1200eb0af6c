"""Which corrective actions a person sees: their own, their 課's, or all (corrective.view_all)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from kitei.core import access
from kitei.core.models import Organization
from kitei.corrective.choices import ActionState
from kitei.corrective.models import CorrectiveAction
from kitei.people.models import Person

MINE, DEPARTMENT, ALL = "mine", "department", "all"
SCOPES = (MINE, DEPARTMENT, ALL)


def listed(
    organization: Organization,
    user: access.Actor,
    person: Person,
    scope: str,
    *,
    open_only: bool = False,
    overdue_on: date | None = None,
) -> QuerySet[CorrectiveAction]:
    """The actions of `scope` the user may see, due date first; `overdue_on` keeps those
    open and past their due date on that day."""
    rows = access.scoped(CorrectiveAction.objects.all(), organization)
    if scope == ALL:
        access.require(user, "corrective.view_all", organization)
    elif scope == DEPARTMENT:
        rows = (
            rows.filter(department_id=person.department_id) if person.department_id else rows.none()
        )
    else:
        rows = rows.filter(owner=person)
    if open_only or overdue_on is not None:
        rows = rows.exclude(state=ActionState.VERIFIED)
    if overdue_on is not None:
        rows = rows.filter(due_on__lt=overdue_on)
    return rows.select_related("owner", "department").order_by("due_on", "pk")


def may_view(user: access.Actor, person: Person | None, action: CorrectiveAction) -> bool:
    """The owner, a verifier, a member of the action's 課, or a holder of corrective.view_all."""
    if person is not None and person.organization_id == action.organization_id:
        if person.pk == action.owner_id or (
            action.department_id is not None and person.department_id == action.department_id
        ):
            return True
        if action.verifiers.filter(pk=person.pk).exists():
            return True
    return access.check(user, "corrective.view_all", action.organization).allowed


def user_may_view(user: access.Actor, action: CorrectiveAction) -> bool:
    """`may_view` for the acting user (the evidence download asks it of each file's action)."""
    person = access.person_of(user)
    return may_view(user, person if isinstance(person, Person) else None, action)


def for_source(
    organization: Organization, source_type_id: int, source_id: int
) -> QuerySet[CorrectiveAction]:
    """The actions one object raised (a finding's, an incident's …)."""
    return access.scoped(CorrectiveAction.objects.all(), organization).filter(
        Q(source_type_id=source_type_id) & Q(source_id=source_id)
    )
