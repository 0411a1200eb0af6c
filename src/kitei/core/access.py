"""Every permission decision of the application, in one place.

Views, the API and services ask here; nothing else inspects role names. Tenant data is
always read through `scoped`, which filters by the requesting user's organisation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Literal, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils import timezone

from kitei.core.models import Organization
from kitei.policy import Engine, load_pack

Permission = Literal["org.view", "people.view", "people.manage", "audit.read", "site.manage"]
User = AbstractBaseUser | AnonymousUser
M = TypeVar("M", bound=Model)

# Pack roles whose holders read the audit trail: the CISO (CIO in 003) and the auditors.
AUDIT_READER_ROLES = frozenset({"ciso", "deputy_ciso", "cio", "audit_lead"})


@cache
def engine_for(pack_id: str, digest: str) -> Engine:
    """The compiled engine of a pack (cached per id and digest)."""
    engine = Engine(load_pack(pack_id))
    if engine.loaded.digest != digest:
        # The shipped file changed since the organisation was bound to it; the binding wins
        # only through an explicit upgrade (core.services.upgrade_pack).
        raise PermissionDenied(f"pack {pack_id} changed; upgrade the organisation first")
    return engine


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
    person = person_of(user)
    if person is None:
        return set()
    today = on or timezone.localdate()
    roles = set()
    for a in person.assignments.all():  # type: ignore[attr-defined]  # reverse relation
        if (a.valid_from is None or a.valid_from <= today) and (
            a.valid_until is None or today <= a.valid_until
        ):
            roles.add(a.role_id)
    return roles


def is_superuser(user: User) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_superuser", False))


def _is_org_admin(user: User) -> bool:
    return bool(getattr(person_of(user), "is_org_admin", False))


def _reads_audit(user: User) -> bool:
    return _is_org_admin(user) or bool(held_roles(user) & AUDIT_READER_ROLES)


_CHECKS: dict[str, Callable[[User], bool]] = {
    "org.view": lambda user: True,
    "people.view": lambda user: True,  # every member reads the people register
    "people.manage": _is_org_admin,
    "audit.read": _reads_audit,
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
