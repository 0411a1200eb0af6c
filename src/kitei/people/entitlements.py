"""Who may decide a step of a request: the roles a person holds today, in a scope reaching it.

The approval route comes from the pack's decision (roles per step); this module resolves
those roles to people through the people register: own and deputy (代行) assignments in
their validity period, department- and system-scoped roles for their own 課 and system, and
roles the pack binds to the 情報システム台帳's columns (`register_column`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kitei.core import access
from kitei.core.models import Organization
from kitei.people.models import Person, RoleAssignment

# The route of a request the pack says nothing about (`undetermined`): the organisation's
# administrators, the policy office, decide it. Not a pack role id (those match [a-z0-9…]).
POLICY_OFFICE = "@policy_office"


@dataclass(frozen=True, kw_only=True)
class ApprovalTarget:
    """What a request's approvers are resolved against: its organisation, 課 and system."""

    organization_id: int
    department_id: int | None = None
    system_id: int | None = None
    system_manager_id: int | None = None
    system_operator_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class Entitlement:
    """A role of a step the person may decide for, and whom they stand in for (代行)."""

    role_id: str
    acting_for_id: int | None = None


def role_scopes(organization: Organization) -> dict[str, str]:
    """Role id → its scope in the organisation's pack (organization, department, system)."""
    return dict(access.grants_of(organization).scopes)


def _covers(scope: str, assignment: RoleAssignment, target: ApprovalTarget) -> bool:
    """Whether an assignment of a role with `scope` reaches the request's target."""
    if scope == "department":
        return target.department_id is not None and assignment.department_id == target.department_id
    if scope == "system":
        return target.system_id is not None and assignment.system_id == target.system_id
    return True  # organisation-scoped roles reach everything in the organisation


def _register_holder(organization: Organization, role: str, target: ApprovalTarget) -> int | None:
    """The person the system register names for `role` on the target's system, if any."""
    column = access.grants_of(organization).register_columns.get(role)
    return getattr(target, f"system_{column}_id", None) if column else None


def step_entitlements(
    person: Person,
    target: ApprovalTarget,
    roles: Iterable[str],
    *,
    scopes: Mapping[str, str] | None = None,
    assignments: list[RoleAssignment] | None = None,
) -> tuple[Entitlement, ...]:
    """The roles among `roles` the person may decide for this target today, in that order.

    A role counts when held today (own assignment, or deputy in its validity period) in a
    scope reaching the target: a department-scoped role for the request's 課 only, a
    system-scoped one for its system only (the holder the system register names counts
    too), an organisation-scoped one everywhere. `POLICY_OFFICE` is the organisation
    administrators. `scopes`/`assignments` may be passed preloaded (lists).
    """
    if person.organization_id != target.organization_id:
        return ()
    if scopes is None:
        scopes = role_scopes(person.organization)
    if assignments is None:
        assignments = access.assignments_of(person)
    # Own assignments before deputy ones: a holder never appears as their own deputy.
    ordered = sorted(assignments, key=lambda a: a.deputy_for_id is not None)
    result: list[Entitlement] = []
    for role in roles:
        if role == POLICY_OFFICE:
            if person.is_org_admin:
                result.append(Entitlement(role_id=role))
            continue
        scope = scopes.get(role)
        if scope is None:
            continue
        if scope == "system" and _register_holder(person.organization, role, target) == person.pk:
            result.append(Entitlement(role_id=role))
            continue
        for a in ordered:
            if a.role_id == role and _covers(scope, a, target):
                result.append(Entitlement(role_id=role, acting_for_id=a.deputy_for_id))
                break
    return tuple(result)


def approvers_for(
    organization: Organization, target: ApprovalTarget, roles: Iterable[str]
) -> list[Person]:
    """Everyone who may decide for one of `roles` on the target today (for notifications)."""
    wanted = set(roles)
    scopes = role_scopes(organization)
    people = Person.objects.filter(organization=organization).select_related("user")
    candidates: dict[int, Person] = {}
    if POLICY_OFFICE in wanted:
        candidates.update((p.pk, p) for p in people.filter(is_org_admin=True))
    ids = {
        _register_holder(organization, role, target)
        for role in wanted
        if scopes.get(role) == "system"
    } - {None}
    candidates.update((p.pk, p) for p in people.filter(pk__in=ids))
    held = RoleAssignment.objects.filter(organization=organization, role_id__in=wanted)
    holders = people.filter(pk__in=held.values("person_id")).prefetch_related("assignments")
    for person in holders:
        if step_entitlements(person, target, wanted, scopes=scopes):
            candidates[person.pk] = person
    return sorted(candidates.values(), key=lambda p: (p.name, p.pk))
