"""The one permission question of kitei: `check(actor, permission, resource)` → a Verdict.

Who may do what in kitei comes from the organisation's pack: each pack role carries
`grants:` (kitei permissions, each cited to the clause that gives it, or to a pack note),
bound to the role's scope (organisation, the holder's 課, the holder's system). kitei's own
rules add what every member may do and what the organisation administrators (組織管理者)
may do (`kitei.policy.permissions`). No pack or role id appears here: a new organisation's
pack needs no code change. Services call `require` and refuse; views and the API turn the
`Refusal` into a 403 that shows the verdict's reasons in Japanese. Tenant data is always read
through `scoped`, which filters by the requesting user's active organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from kitei.core import tenancy
from kitei.core.actors import Operator
from kitei.core.grants import (
    GrantIndex,
    Reason,
    RoleGrant,
    decide,
    engine_for,
    grant_index,
    grants_of,
)
from kitei.core.models import Organization
from kitei.core.targets import Target, target_of
from kitei.core.tenancy import organization_of, person_of
from kitei.policy import Decision, Effect
from kitei.policy.permissions import BY_ID as PERMISSION_INFO

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
    "assets.classify",
    "systems.view",
    "systems.manage",
    "requests.file",
    "requests.view",
    "records.view",
    "records.write",
    "exceptions.receive_report",
    "exceptions.review",
    "evidence.attach",
    "evidence.read",
    "corrective.view",
    "corrective.view_all",
    "corrective.verify",
    "audits.view",
    "audits.manage",
    "audits.receive_report",
    "settings.manage",
    "duties.view",
    "duties.complete",
    "training.manage",
    "incidents.file",
    "incidents.view",
    "incidents.triage",
    "inspections.view",
    "inspections.manage",
]
M = TypeVar("M", bound=Model)


User = AbstractBaseUser | AnonymousUser
Actor = AbstractBaseUser | AnonymousUser | Operator


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """The answer to `check`: allowed or not, and the reasons a person can read."""

    allowed: bool
    permission: str
    reasons: tuple[Reason, ...] = ()

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def title(self) -> str:
        """The permission's title in the active language (Japanese in the pack catalogue)."""
        info = PERMISSION_INFO.get(self.permission)
        return pgettext("permission", info.title) if info is not None else self.permission

    @property
    def message(self) -> str:
        """One paragraph in the active language: what was asked, the outcome, and why."""
        head = (
            gettext("「{title}」が認められています。")
            if self.allowed
            else gettext("「{title}」の権限がありません。")
        ).format(title=self.title)
        return " ".join([head, *(r.cite() for r in self.reasons)])


class Refusal(PermissionDenied):
    """A refused `check`: a 403 whose verdict says why, in Japanese."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(verdict.message)
        self.verdict = verdict


# --- who is asking -------------------------------------------------------------------------
# `person_of` and `organization_of` resolve through the user's active, valid membership
# (kitei.core.tenancy), so every scoped query follows the organisation the user acts in.


def is_superuser(user: Actor | None) -> bool:
    return bool(user is not None and user.is_authenticated and getattr(user, "is_superuser", False))


def assignments_of(person: Person, on: date | None = None) -> list[RoleAssignment]:
    """The person's role assignments (own or deputy) valid on `on` (default: today).

    Within a web request the list is read once per person (`request_cache`).
    """
    cached = _cache_of(person)
    if cached is not None and on is None:
        # Within a request "today" is the day the request started (read once: localdate
        # costs more than the rest of a check).
        key = ("assignments", person.pk)
        if key not in cached:
            cached[key] = _valid(list(person.assignments.all()), cached["today"])
        return cached[key]  # type: ignore[no-any-return]  # the cache holds what we put
    return _valid(list(person.assignments.all()), on or timezone.localdate())


def _valid(assignments: list[RoleAssignment], today: date) -> list[RoleAssignment]:
    return [
        a
        for a in assignments
        if (a.valid_from is None or a.valid_from <= today)
        and (a.valid_until is None or today <= a.valid_until)
    ]


def roles_held_by(person: Person, on: date | None = None) -> set[str]:
    """Ids of the pack roles the person holds on `on` (own or deputy, in their period)."""
    return {a.role_id for a in assignments_of(person, on)}


def held_roles(user: Actor | None, on: date | None = None) -> set[str]:
    """Ids of the pack roles the user holds today (own or deputy assignments in period)."""
    person = person_of(user)
    return roles_held_by(person, on) if person is not None else set()


# A per-request memo, attached to the Person by `RequestCacheMiddleware`: assignments are
# read once per request, not once per check. Outside a web request nothing is cached.
_CACHE_ATTR = "_kitei_request_cache"


def _cache_of(person: Any) -> dict[Any, Any] | None:
    return getattr(person, _CACHE_ATTR, None)


def start_request_cache(user: Actor | None) -> None:
    """Memoise the user's assignments for the rest of this request."""
    person = person_of(user)
    if person is not None:
        setattr(person, _CACHE_ATTR, {"today": timezone.localdate()})


# --- what is asked about -------------------------------------------------------------------


def _covers(scope: str, assignment: RoleAssignment, target: Target) -> bool:
    """Whether an assignment of a role with `scope` reaches the target.

    A department-scoped assignment reaches its 課, a system-scoped one its system; one
    that names neither reaches the whole organisation. "Anywhere" is reached by any.
    """
    if target.anywhere:
        return True
    if scope == "department" and assignment.department_id is not None:
        return assignment.department_id == target.department_id
    if scope == "system" and assignment.system_id is not None:
        return target.system_id is not None and assignment.system_id == target.system_id
    return True


def _via_register(role_id: str, index: GrantIndex, person_id: int, target: Target) -> bool:
    """Whether the system register names the person as this role's holder for the target."""
    column = index.register_columns.get(role_id)
    if column is None or target.anywhere:
        return False
    return getattr(target, f"system_{column}_id", None) == person_id


# --- the question --------------------------------------------------------------------------

_MEMBER = Reason(text=_("組織の構成員は誰でも行えます（kitei の規則）"))
_ADMIN = Reason(text=_("組織管理者が行えます（kitei の規則）"))
_SUPERUSER = Reason(text=_("サイト管理者が行えます（kitei の規則）"))
_NOBODY = Reason(
    text=_("操作者が指定されていません（kitei の規則: 変更は必ず誰が行ったかを記録します）")
)
_OWN = Reason(text=_("自分のアカウントのものです（kitei の規則）"))
_OPERATOR = Reason(text=_("サーバーの操作者がコマンドで行えます（kitei の規則）"))


def check(  # noqa: PLR0911 - one return per kitei rule
    actor: Actor | None, permission: str, resource: Any
) -> Verdict:
    """May `actor` do `permission` on `resource` (an Organization, a tenant row, a Target)?

    Allowed by kitei's own rules (every member; the organisation administrators; a site
    administrator for `site.manage`; a server operator), or by a grant of a pack role the
    actor holds today in a scope reaching the resource. Never across organisations.
    """
    if permission not in PERMISSION_INFO and permission != "site.manage":
        raise ValueError(f"unknown permission {permission!r}")
    if actor is None:
        return Verdict(allowed=False, permission=permission, reasons=(_NOBODY,))
    if permission == "site.manage":
        if isinstance(actor, Operator):
            return _allowed(permission, _OPERATOR)
        if is_superuser(actor):
            return _allowed(permission, _SUPERUSER)
        return Verdict(allowed=False, permission=permission, reasons=(_SUPERUSER,))
    if isinstance(actor, Operator):
        return _allowed(permission, _OPERATOR)
    target = target_of(resource)
    person = person_of(actor)
    if target is None or person is None or person.organization_id != target.organization_id:
        return Verdict(
            allowed=False,
            permission=permission,
            reasons=(Reason(text=_("この組織の構成員ではありません。")),),
        )
    return _member_check(person, permission, target)


@cache
def _allowed(permission: str, reason: Reason) -> Verdict:
    """An allowed verdict, built once per permission and reason (verdicts are immutable)."""
    return Verdict(allowed=True, permission=permission, reasons=(reason,))


def _member_check(person: Person, permission: str, target: Target) -> Verdict:
    info = PERMISSION_INFO[permission]
    if info.base == "member":
        return _allowed(permission, _MEMBER)
    if person.is_org_admin and info.base in ("member", "org_admin"):
        return _allowed(permission, _ADMIN)
    index = grants_of(person.organization)
    grants = index.by_permission.get(permission, ())
    if grants:
        assignments = assignments_of(person)
        for grant in grants:
            if _via_register(grant.role_id, index, person.pk, target):
                return _allowed(permission, grant.reason)
            for a in assignments:
                if a.role_id == grant.role_id and _covers(grant.scope, a, target):
                    return _allowed(permission, grant.reason)
    return _refused(permission, info.base, grants)


_SCOPE_WORDS = {
    "department": _("（割り当てられた課について）"),
    "system": _("（担当する情報システムについて）"),
}


@cache
def _refused(permission: str, base: str, grants: tuple[RoleGrant, ...]) -> Verdict:
    """A refusal that says who does have the permission (built once per pack and permission)."""
    reasons = [
        Reason(
            text=format_lazy(
                _("この権限は{role}{scope}に与えられています"),
                role=g.role_title,
                scope=_SCOPE_WORDS.get(g.scope, ""),
            ),
            source="pack",
            role=g.role_title,
            clause=g.reason.clause,
            quote=g.reason.quote,
            seed=g.reason.seed,
        )
        for g in grants
    ]
    if base == "org_admin":
        reasons.append(_ADMIN)
    if not reasons:
        reasons.append(Reason(text=_("ポリシーパックはこの権限をどの役割にも与えていません。")))
    return Verdict(allowed=False, permission=permission, reasons=tuple(reasons))


def require(actor: Actor | None, permission: str, resource: Any) -> Verdict:
    """The verdict of `check`, or raise `Refusal` (a 403 carrying the reasons)."""
    verdict = check(actor, permission, resource)
    if not verdict.allowed:
        raise Refusal(verdict)
    return verdict


def check_account(actor: Actor | None, account: Any, permission: str, resource: Any) -> Verdict:
    """May `actor` act on what belongs to `account` (its API tokens …): the account itself
    may; anyone else needs `permission` on `resource` (e.g. people.manage, its organisation).
    """
    if (
        actor is not None
        and not isinstance(actor, Operator)
        and getattr(actor, "is_authenticated", False)
        and account is not None
        and actor.pk == account.pk
    ):
        return _allowed(permission, _OWN)
    return check(actor, permission, resource)


def scoped(queryset: QuerySet[M], organization: Organization | None) -> QuerySet[M]:
    """The rows of `queryset` that belong to `organization` (none when there is none)."""
    if organization is None:
        return queryset.none()
    return queryset.filter(organization=organization)


@dataclass(frozen=True, kw_only=True)
class Reach:
    """The part of the organisation where a person has a permission: all, or some 課/systems."""

    everything: bool = False
    departments: frozenset[int] = frozenset()
    systems: frozenset[int] = frozenset()  # ids of systems.System
    person_id: int | None = None

    @property
    def any(self) -> bool:
        """Whether the person has the permission anywhere."""
        return self.everything or bool(self.departments or self.systems)


def reach(user: Actor | None, permission: str, organization: Organization | None) -> Reach:
    """Where in `organization` the user has `permission` (list pages narrow to it)."""
    person = person_of(user)
    if organization is None or person is None or person.organization_id != organization.pk:
        return Reach()
    if check(user, permission, Target(organization_id=organization.pk)).allowed:
        return Reach(everything=True, person_id=person.pk)
    index = grants_of(organization)
    departments: set[int] = set()
    systems: set[int] = set()
    roles = {g.role_id: g.scope for g in index.by_permission.get(permission, ())}
    for a in assignments_of(person):
        scope = roles.get(a.role_id)
        if scope == "department" and a.department_id is not None:
            departments.add(a.department_id)
        elif scope == "system" and a.system_id is not None:
            systems.add(a.system_id)
    return Reach(
        departments=frozenset(departments), systems=frozenset(systems), person_id=person.pk
    )


def requires_mfa(user: Actor | None) -> bool:
    """Site and organisation administrators, holders of roles the pack marks administrative,
    and whoever acts under a membership that needs TOTP (an external auditor's)."""
    if user is None or not user.is_authenticated:
        return False
    membership = tenancy.active_membership(user)
    if membership is not None and membership.requires_totp:
        return True
    person = person_of(user)
    if is_superuser(user) or (person is not None and person.is_org_admin):
        return True
    if person is None:
        return False
    return bool(held_roles(user) & grants_of(person.organization).administrative)


def check_decided(
    actor: Actor | None, permission: str, resource: Any, decision: Decision, *, otherwise: str
) -> Verdict:
    """A permission the pack gives through a rule's approvers (002 3(2)エ 判断を仰ぐ).

    When the decision names approvers, only holders of those roles (in a scope reaching the
    resource) have `permission`; a forbidding decision refuses; when the pack is silent or
    permits, the verdict is that of the `otherwise` permission (e.g. the register keepers).
    """
    cited = tuple(
        Reason(text=r.message, source="pack", clause=r.clause, quote=r.quote, seed=r.source)
        for r in decision.reasons
    )
    if decision.effect == Effect.FORBID:
        return Verdict(allowed=False, permission=permission, reasons=cited)
    if decision.effect != Effect.APPROVAL_REQUIRED:
        fallback = check(actor, otherwise, resource)
        return Verdict(allowed=fallback.allowed, permission=permission, reasons=fallback.reasons)
    if isinstance(actor, Operator):
        return _allowed(permission, _OPERATOR)
    target = target_of(resource)
    person = person_of(actor)
    if target is None or person is None or person.organization_id != target.organization_id:
        return Verdict(allowed=False, permission=permission, reasons=cited)
    wanted = {role for step in decision.approvals for role, _title in step.roles}
    scopes = grants_of(person.organization).scopes
    allowed = any(
        a.role_id in wanted and _covers(scopes.get(a.role_id, "organization"), a, target)
        for a in assignments_of(person)
    )
    return Verdict(allowed=allowed, permission=permission, reasons=cited)


class UnknownOperatorError(ValueError):
    """`--as USERNAME` names nobody who is a valid member of the organisation today."""


def cli_actor(organization: Organization, username: str | None, command: str) -> Actor:
    """Who a CLI command acts as: the member `--as USERNAME` names, or the OS user.

    With `--as`, the member's own permissions apply in `organization` (their membership
    there, valid today, is made active) and their login is recorded; without it, the OS
    user running the command is recorded as the operator (`os:USER (command)`).
    """
    if not username:
        return Operator.from_os(command)
    from django.contrib.auth import get_user_model  # noqa: PLC0415 - needs the app registry

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    membership = tenancy.membership_in(user, organization.pk) if user is not None else None
    if user is None or membership is None:
        lapsed = tenancy.lapsed_membership(user, organization.pk) if user is not None else None
        if lapsed is not None:
            raise UnknownOperatorError(f"「{username}」: {tenancy.lapse_message(lapsed)}")
        raise UnknownOperatorError(
            f"「{username}」は組織「{organization.slug}」の有効な利用者ではありません。"
        )
    tenancy.bind(user, membership)
    return user


__all__ = [
    "Actor",
    "GrantIndex",
    "Operator",
    "Reason",
    "Refusal",
    "RoleGrant",
    "Target",
    "Verdict",
    "check",
    "check_decided",
    "cli_actor",
    "decide",
    "engine_for",
    "grant_index",
    "grants_of",
    "organization_of",
    "person_of",
    "require",
    "scoped",
    "target_of",
]
