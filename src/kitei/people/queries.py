"""Reads of the people register, always scoped to one organisation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.models import Organization
from kitei.people.models import Department, Membership, Person, RoleAssignment


def valid_on(on: date) -> Q:
    """Assignments valid on a day (both ends of the period are inclusive)."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    )


def without_address() -> Q:
    """People kitei cannot mail: no address in the register and none on their account."""
    return Q(email="") & (Q(user__isnull=True) | Q(user__email=""))


def role_titles(organization: Organization) -> dict[str, str]:
    """Role id → Japanese title, from the organisation's pack."""
    engine = access.engine_for(organization.pack_id, organization.pack_digest)
    return {r.id: r.title for r in engine.pack.roles}


def departments(organization: Organization) -> QuerySet[Department]:
    """The organisation's departments, by name."""
    return access.scoped(Department.objects.all(), organization).order_by("name")


def systems(organization: Organization) -> QuerySet[Any]:
    """The organisation's information systems by name, for system-scoped roles.

    The register's model is reached through RoleAssignment.system: people is a lower layer
    than the registers and never imports them.
    """
    model = RoleAssignment._meta.get_field("system").related_model
    assert isinstance(model, type)  # a concrete model, not "self"
    return access.scoped(model._default_manager.all(), organization).order_by("name")


def people(
    organization: Organization,
    *,
    on: date,
    department: int | None = None,
    role: str | None = None,
    without_address_only: bool = False,
) -> QuerySet[Person]:
    """People of the organisation with the assignments valid on `on` prefetched.

    Each person carries `current_assignments`; filters narrow to a department, to the
    holders (own or deputy) of a role on that day, or to those kitei cannot mail.
    """
    current = (
        RoleAssignment.objects.filter(valid_on(on))
        .select_related("department", "system", "deputy_for")
        .order_by("role_id", "pk")
    )
    result = (
        access.scoped(Person.objects.all(), organization)
        .select_related("department", "user")
        .prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_assignments"))
        .order_by("name", "pk")
    )
    if department is not None:
        result = result.filter(department_id=department)
    if role:
        holds = RoleAssignment.objects.filter(valid_on(on), person=OuterRef("pk"), role_id=role)
        result = result.filter(Exists(holds))
    if without_address_only:
        result = result.filter(without_address())
    return result


@dataclass(frozen=True, kw_only=True)
class HeldRole:
    """An assignment with the Japanese title of its role."""

    assignment: RoleAssignment
    title: str


@dataclass(frozen=True, kw_only=True)
class PersonRow:
    """A line of the people list: the person and the roles held today."""

    person: Person
    roles: tuple[HeldRole, ...]


def rows(items: Iterable[Person], titles: dict[str, str]) -> list[PersonRow]:
    """List lines for people fetched by `people` (no further queries)."""
    return [
        PersonRow(
            person=p,
            roles=tuple(
                HeldRole(assignment=a, title=titles.get(a.role_id, a.role_id))
                for a in getattr(p, "current_assignments", ())
            ),
        )
        for p in items
    ]


def person(organization: Organization, pk: int) -> Person:
    """One person of the organisation, or 404 (also for another organisation's people)."""
    return get_object_or_404(
        access.scoped(Person.objects.select_related("department", "user"), organization), pk=pk
    )


def member_name(organization: Organization, user: Any) -> str:
    """How the organisation's people register names an account: its person's name there,
    else the login (an account may have a person in several organisations)."""
    if user is None:
        return ""
    names = access.scoped(Person.objects.filter(user=user), organization)
    return names.values_list("name", flat=True).first() or str(user.get_username())


def assignment(organization: Organization, pk: int) -> RoleAssignment:
    """One role assignment of the organisation, or 404."""
    return get_object_or_404(
        access.scoped(RoleAssignment.objects.select_related("person"), organization), pk=pk
    )


@dataclass(frozen=True, kw_only=True)
class AssignmentRow:
    """An assignment as the person page shows it: role title, period and status."""

    assignment: RoleAssignment
    title: str
    status: str
    ended: bool


def assignment_rows(
    organization: Organization, subject: Person, on: date, titles: dict[str, str]
) -> list[AssignmentRow]:
    """Every assignment of a person (ended ones too: they are never deleted), ended last."""
    result = []
    items = access.scoped(RoleAssignment.objects.all(), organization).filter(person=subject)
    related = items.select_related("department", "system", "deputy_for")
    for a in related.order_by("role_id", "pk"):
        ended = a.valid_until is not None and a.valid_until < on
        if ended:
            status = _("終了")
        elif a.valid_from is not None and on < a.valid_from:
            status = _("開始前")
        else:
            status = _("有効")
        title = titles.get(a.role_id, a.role_id)
        result.append(AssignmentRow(assignment=a, title=title, status=status, ended=ended))
    return sorted(result, key=lambda r: r.ended)


def deputies_of(
    organization: Organization, subject: Person, on: date, titles: dict[str, str]
) -> list[HeldRole]:
    """Assignments valid on `on` in which someone stands in for the person (代行)."""
    items = (
        access.scoped(RoleAssignment.objects.all(), organization)
        .filter(valid_on(on), deputy_for=subject)
        .select_related("person", "department", "system", "deputy_for")
        .order_by("role_id", "pk")
    )
    return [HeldRole(assignment=a, title=titles.get(a.role_id, a.role_id)) for a in items]


@dataclass(frozen=True, kw_only=True)
class MembershipRow:
    """A membership as lists show it: the row and its state today (有効・終了・開始前)."""

    membership: Membership
    status: str
    valid: bool


def memberships(
    organization: Organization, *, person: Person | None = None
) -> QuerySet[Membership]:
    """The organisation's memberships (of one person, when given), ended ones too."""
    found = access.scoped(Membership.objects.all(), organization)
    if person is not None:
        found = found.filter(person=person)
    return found.select_related("user", "person").order_by("person__name", "valid_from", "pk")


def membership_rows(items: Iterable[Membership], on: date) -> list[MembershipRow]:
    """Membership lines with their state on `on`."""
    result = []
    for m in items:
        if m.valid_until is not None and m.valid_until < on:
            status, valid = _("終了"), False
        elif m.valid_from is not None and on < m.valid_from:
            status, valid = _("開始前"), False
        else:
            status, valid = _("有効"), True
        result.append(MembershipRow(membership=m, status=status, valid=valid))
    return result
