"""Every permission decision of the application, in one place.

Views, the API and services ask here; nothing else inspects role names. Tenant data is
always read through `scoped`, which filters by the requesting user's organisation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils import timezone

from kitei.core.models import Organization, PackVersion
from kitei.policy import Decision, Engine, load_pack, load_pack_source

if TYPE_CHECKING:
    from kitei.people.models import Person, RoleAssignment

Permission = Literal[
    "org.view",
    "people.view",
    "people.manage",
    "audit.read",
    "site.manage",
    "assets.view",
    "assets.manage",
    "systems.view",
    "systems.manage",
    "requests.file",
    "requests.view",
    "records.view",
    "records.write",
    "evidence.attach",
    "evidence.read",
]
User = AbstractBaseUser | AnonymousUser
M = TypeVar("M", bound=Model)

# Pack roles whose holders read the audit trail: the CISO (CIO in 003) and the auditors.
AUDIT_READER_ROLES = frozenset({"ciso", "deputy_ciso", "cio", "audit_lead"})


@cache
def engine_for(pack_id: str, digest: str) -> Engine:
    """The compiled engine of the pack version an organisation is bound to (cached by digest).

    The bytes come from PackVersion, so a newer shipped file changes nothing until the
    organisation is upgraded (core.services.upgrade_pack).
    """
    stored = PackVersion.objects.filter(digest=digest).first()
    if stored is not None:
        loaded = load_pack_source(stored.source.encode("utf-8"), Path(f"{pack_id}@{digest}"))
    else:
        loaded = load_pack(pack_id)
        if loaded.digest != digest:
            raise PermissionDenied(
                f"pack {pack_id} {digest} is not stored; upgrade the organisation"
            )
    if loaded.digest != digest or loaded.pack.id != pack_id:
        raise PermissionDenied(f"stored pack {pack_id} does not match {digest}")
    return Engine(loaded)


def person_of(user: User) -> object | None:
    """The Person record of a logged-in user, if any."""
    if not user.is_authenticated:
        return None
    return getattr(user, "person", None)


def organization_of(user: User) -> Organization | None:
    """The organisation a user belongs to (None for site administrators without one)."""
    person = person_of(user)
    return person.organization if person is not None else None  # type: ignore[attr-defined]  # Person is resolved lazily to avoid an import cycle


def held_roles(user: User, on: date | None = None) -> set[str]:
    """Ids of the pack roles the user holds today (own or deputy assignments in period)."""
    return {a.role_id for a in _current_assignments(user, on)}


def _current_assignments(user: User, on: date | None = None) -> list[Any]:
    """The user's role assignments (own or deputy) valid on `on` (default: today)."""
    person = person_of(user)
    if person is None:
        return []
    today = on or timezone.localdate()
    return [
        a
        for a in person.assignments.all()  # type: ignore[attr-defined]  # reverse relation
        if (a.valid_from is None or a.valid_from <= today)
        and (a.valid_until is None or today <= a.valid_until)
    ]


def is_superuser(user: User) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_superuser", False))


def _is_org_admin(user: User) -> bool:
    return bool(getattr(person_of(user), "is_org_admin", False))


def _reads_audit(user: User) -> bool:
    return _is_org_admin(user) or bool(held_roles(user) & AUDIT_READER_ROLES)


Register = Literal["assets", "systems"]

# Pack roles that keep the registers, per pack, beside the organisation administrators.
# A holder keeps the part of the register their assignment covers: the assets of its
# department (department-scoped roles), the system it names (system-scoped roles), or all
# of it when the assignment names neither. Packs not listed (no such role in the seed)
# leave the registers to the organisation administrators.
REGISTER_KEEPERS: dict[str, dict[Register, frozenset[str]]] = {
    "mito-city-council": {
        # 002 3(2)ア(ア): 情報セキュリティ管理者は、情報資産について管理責任を有する
        "assets": frozenset({"information_security_manager"}),
        # 002 2(4)イ・3(2)ア(イ): 情報システム管理者 runs its systems and keeps 情報システム台帳
        "systems": frozenset({"information_system_manager"}),
    },
    "toyama-kankoji-kumiai": {
        # 003 1(2)オ: 情報管理者 (事務局長) holds the information systems' security authority
        "assets": frozenset({"information_manager"}),
        "systems": frozenset({"information_manager"}),
    },
}


@dataclass(frozen=True, kw_only=True)
class Reach:
    """The part of a register a user keeps: all of it, or some departments or systems."""

    everything: bool = False
    departments: frozenset[int] = frozenset()
    systems: frozenset[str] = frozenset()
    person_id: int | None = None

    @property
    def any(self) -> bool:
        """Whether the user keeps any part of the register."""
        return self.everything or bool(self.departments or self.systems)


def _keeps(user: User, register: Register) -> Reach:
    """What part of `register` the user keeps in their own organisation."""
    person = person_of(user)
    org = organization_of(user)
    if person is None or org is None:
        return Reach()
    person_id = getattr(person, "pk", None)
    if _is_org_admin(user):
        return Reach(everything=True, person_id=person_id)
    roles = REGISTER_KEEPERS.get(org.pack_id, {}).get(register, frozenset())
    departments: set[int] = set()
    systems: set[str] = set()
    for a in _current_assignments(user):
        if a.role_id not in roles:
            continue
        if a.department_id is None and not a.system:
            return Reach(everything=True, person_id=person_id)
        if a.department_id is not None:
            departments.add(a.department_id)
        if a.system:
            systems.add(a.system)
    return Reach(
        departments=frozenset(departments), systems=frozenset(systems), person_id=person_id
    )


def keeps(user: User, organization: Organization | None, register: Register) -> Reach:
    """The part of `register` of `organization` the user may change (nothing elsewhere)."""
    if organization is None or organization_of(user) != organization:
        return Reach()
    return _keeps(user, register)


def can_manage_asset(user: User, organization: Organization | None, department_id: int) -> bool:
    """Whether the user may register or change assets of the department (assets.manage)."""
    reach = keeps(user, organization, "assets")
    return reach.everything or department_id in reach.departments


def can_manage_system(
    user: User, organization: Organization | None, *, name: str, manager_id: int | None
) -> bool:
    """Whether the user may change the system (systems.manage).

    A system-scoped keeper keeps the system their assignment names, and the systems the
    register names them 情報システム管理者 of.
    """
    reach = keeps(user, organization, "systems")
    if reach.everything or name in reach.systems:
        return True
    return reach.any and manager_id is not None and manager_id == reach.person_id


_CHECKS: dict[str, Callable[[User], bool]] = {
    "org.view": lambda user: True,
    "people.view": lambda user: True,  # every member reads the people register
    "people.manage": _is_org_admin,
    "audit.read": _reads_audit,
    # The registers: every member reads them; organisation administrators and the pack
    # roles of REGISTER_KEEPERS change them (their part: can_manage_asset/_system).
    "assets.view": lambda user: True,
    "assets.manage": lambda user: _keeps(user, "assets").any,
    "systems.view": lambda user: True,
    "systems.manage": lambda user: _keeps(user, "systems").any,
    # Requests (申請): every member files their own and reads the organisation's; who
    # decides a step is `step_entitlements`, asked by the approval services themselves.
    "requests.file": lambda user: person_of(user) is not None,
    "requests.view": lambda user: person_of(user) is not None,
    # Record books (記録簿): every member reads them and records what they did (持出し,
    # 入退室, 作業 …); the services check who may close an entry (002 7-1(4)ウ 確認は別の者).
    "records.view": lambda user: person_of(user) is not None,
    "records.write": lambda user: person_of(user) is not None,
    # Evidence files: members attach and read them; the app owning the supported object
    # adds its own permission (kitei.core.evidence.register_supported).
    "evidence.attach": lambda user: person_of(user) is not None,
    "evidence.read": lambda user: person_of(user) is not None,
}


def can(user: User, permission: Permission, organization: Organization | None) -> bool:
    """Whether the user may do `permission` in `organization` (only ever their own)."""
    if permission == "site.manage":
        return is_superuser(user)
    if not user.is_authenticated or organization is None:
        return False
    if organization_of(user) != organization:
        return False
    check = _CHECKS.get(permission)
    return check is not None and check(user)


def require(user: User, permission: Permission, organization: Organization | None) -> None:
    """Raise PermissionDenied (403) unless `can`."""
    if not can(user, permission, organization):
        raise PermissionDenied(permission)


def scoped(queryset: QuerySet[M], organization: Organization | None) -> QuerySet[M]:
    """The rows of `queryset` that belong to `organization` (none when there is none)."""
    if organization is None:
        return queryset.none()
    return queryset.filter(organization=organization)


def requires_mfa(user: User) -> bool:
    """Site and organisation administrators, and holders of roles the pack marks administrative."""
    if not user.is_authenticated:
        return False
    if is_superuser(user) or _is_org_admin(user):
        return True
    org = organization_of(user)
    if org is None:
        return False
    engine = engine_for(org.pack_id, org.pack_digest)
    administrative = {r.id for r in engine.pack.roles if r.administrative}
    return bool(held_roles(user) & administrative)


def decide(organization: Organization, request: Mapping[str, Any]) -> Decision:
    """The decision of the organisation's pack on a request (its JSON form), with reasons."""
    return engine_for(organization.pack_id, organization.pack_digest).decide(request)


def may_approve(
    user: User,
    organization: Organization | None,
    decision: Decision,
    *,
    department_id: int | None = None,
    system: str = "",
) -> bool:
    """Whether the user holds, today, a role one of the decision's approval steps names.

    A department- or system-scoped assignment counts only for its own department or
    system; one that names neither counts everywhere.
    """
    if organization is None or organization_of(user) != organization:
        return False
    wanted = {role for step in decision.approvals for role, _title in step.roles}
    for a in _current_assignments(user):
        if a.role_id not in wanted:
            continue
        if a.department_id is not None and a.department_id != department_id:
            continue
        if a.system and a.system != system:
            continue
        return True
    return False


def can_classify(
    user: User, organization: Organization | None, decision: Decision, department_id: int
) -> bool:
    """Whether the user may decide the class of an asset whose class is unclear.

    `decision` is the pack's answer to `asset.classify_unclear`: when it names approvers
    (002 3(2)エ: 情報セキュリティ管理者に判断を仰ぐ), only they decide; when the pack is
    silent or permits, the asset's keepers (assets.manage) decide.
    """
    if decision.effect == "approval_required":
        return may_approve(user, organization, decision, department_id=department_id)
    if decision.effect == "forbid":
        return False
    return can_manage_asset(user, organization, department_id)


# --- who decides a step of a request (issue 5) -------------------------------------------

# The route of a request the pack says nothing about (`undetermined`): the organisation's
# administrators, the policy office, decide it. Not a pack role id (those match [a-z0-9…]).
POLICY_OFFICE = "@policy_office"

# Register columns that make a person hold a system-scoped role for that one system
# (002 2(4)ア 情報システム管理者, 2(5)ア 情報システム担当者) without a separate assignment.
SYSTEM_REGISTER_ROLES: dict[str, str] = {
    "information_system_manager": "system_manager_id",
    "information_system_operator": "system_operator_id",
}


@dataclass(frozen=True, kw_only=True)
class ApprovalTarget:
    """What a request's approvers are resolved against: its organisation, 課 and system."""

    organization_id: int
    department_id: int | None = None
    system: str = ""  # the system's name, as RoleAssignment.system holds it
    system_manager_id: int | None = None
    system_operator_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class Entitlement:
    """A role of a step the person may decide for, and whom they stand in for (代行)."""

    role_id: str
    acting_for_id: int | None = None


def role_scopes(organization: Organization) -> dict[str, str]:
    """Role id → its scope in the organisation's pack (organization, department, system)."""
    pack = engine_for(organization.pack_id, organization.pack_digest).pack
    return {r.id: r.scope for r in pack.roles}


def assignments_of(person: Person, on: date | None = None) -> list[RoleAssignment]:
    """The person's role assignments (own or deputy) valid on `on` (default: today)."""
    today = on or timezone.localdate()
    return [
        a
        for a in person.assignments.all()
        if (a.valid_from is None or a.valid_from <= today)
        and (a.valid_until is None or today <= a.valid_until)
    ]


def roles_held_by(person: Person, on: date | None = None) -> set[str]:
    """Ids of the pack roles the person holds on `on` (own or deputy, in their period)."""
    return {a.role_id for a in assignments_of(person, on)}


def _covers(scope: str, assignment: RoleAssignment, target: ApprovalTarget) -> bool:
    """Whether an assignment of a role with `scope` reaches the request's target."""
    if scope == "department":
        return target.department_id is not None and assignment.department_id == target.department_id
    if scope == "system":
        return bool(target.system) and assignment.system == target.system
    return True  # organisation-scoped roles reach everything in the organisation


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
    system-scoped one for its system only (the system's 情報システム管理者/担当者 in the
    register count too), an organisation-scoped one everywhere. `POLICY_OFFICE` is the
    organisation administrators. `scopes`/`assignments` may be passed preloaded (lists).
    """
    if person.organization_id != target.organization_id:
        return ()
    if scopes is None:
        scopes = role_scopes(person.organization)
    if assignments is None:
        assignments = assignments_of(person)
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
        column = SYSTEM_REGISTER_ROLES.get(role)
        if scope == "system" and column and getattr(target, column) == person.pk:
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
    from kitei.people.models import Person, RoleAssignment  # noqa: PLC0415 - import cycle

    wanted = set(roles)
    scopes = role_scopes(organization)
    people = Person.objects.filter(organization=organization).select_related("user")
    candidates: dict[int, Person] = {}
    if POLICY_OFFICE in wanted:
        candidates.update((p.pk, p) for p in people.filter(is_org_admin=True))
    ids = {
        getattr(target, column)
        for role, column in SYSTEM_REGISTER_ROLES.items()
        if role in wanted and scopes.get(role) == "system"
    } - {None}
    candidates.update((p.pk, p) for p in people.filter(pk__in=ids))
    held = RoleAssignment.objects.filter(organization=organization, role_id__in=wanted)
    holders = people.filter(pk__in=held.values("person_id")).prefetch_related("assignments")
    for person in holders:
        if step_entitlements(person, target, wanted, scopes=scopes):
            candidates[person.pk] = person
    return sorted(candidates.values(), key=lambda p: (p.name, p.pk))
