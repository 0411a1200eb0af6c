"""State changes of the people register; each writes its ChangeRecord."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core import access, lockout
from kitei.core.access import engine_for
from kitei.core.models import Organization
from kitei.core.services import Actor, actor_name, record_change
from kitei.people import queries
from kitei.people.choices import MembershipKind, PeopleAuditAction
from kitei.people.models import Department, Membership, Person, RoleAssignment
from kitei.policy.model import Role

if TYPE_CHECKING:
    from kitei.people.csv_import import ImportPlan

# The model a system-scoped assignment names (a string: people never imports the registers).
SYSTEM_MODEL = "systems.system"

# Letters and digits that cannot be mistaken for one another when read out or copied by hand.
_PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


@transaction.atomic
def create_department(organization: Organization, *, actor: Actor, name: str) -> Department:
    """Add a department (課) to the organisation."""
    access.require(actor, "people.manage", organization)
    dept = Department.objects.create(organization=organization, name=name)
    record_change(
        organization,
        actor=actor,
        action=PeopleAuditAction.CREATE_DEPARTMENT,
        obj=dept,
        after={"name": name},
    )
    return dept


def membership_kind(kind: str) -> MembershipKind:
    """The kind a membership names, or a ValidationError listing the kinds there are."""
    try:
        return MembershipKind(kind)
    except ValueError:
        known = "、".join(f"{k.value}（{k.label}）" for k in MembershipKind)
        raise ValidationError(
            _("所属の種類「%(kind)s」はありません（%(known)s）。") % {"kind": kind, "known": known}
        ) from None


def check_membership_period(kind: MembershipKind, start: date | None, end: date | None) -> None:
    """An external auditor's membership ends by itself; no period ends before it begins."""
    if kind == MembershipKind.EXTERNAL_AUDITOR and end is None:
        raise ValidationError(_("外部監査人の所属には終了日が必要です。"))
    if end is not None and end < timezone.localdate():
        raise ValidationError(_("終了日が過去の日付です。"))
    if start is not None and end is not None and end < start:
        raise ValidationError(_("終了日が開始日より前です。"))


@transaction.atomic
def create_person(
    organization: Organization,
    *,
    actor: Actor,
    name: str,
    username: str | None = None,
    password: str | None = None,
    department: Department | None = None,
    position: str = "",
    email: str = "",
    is_org_admin: bool = False,
    password_hash: str | None = None,
    membership: str = MembershipKind.MEMBER,
    member_from: date | None = None,
    member_until: date | None = None,
) -> Person:
    """Register a person; with a username, also an account whose password is temporary.

    The account gets a membership of kind `membership` (default 職員等, open-ended) in the
    organisation, from `member_from` until `member_until`. An existing account joins
    another organisation through `kitei.people.memberships.add_membership`.
    `password_hash` (already hashed, e.g. by an import) is used instead of `password`, so
    that the slow hashing can happen before the transaction opens.
    """
    access.require(actor, "people.manage", organization)
    if department is not None and department.organization_id != organization.pk:
        raise ValidationError(_("部署が組織に属していません。"))
    kind = membership_kind(membership)
    if username:
        check_membership_period(kind, member_from, member_until)
    user = _create_account(username, password, password_hash, email) if username else None
    person = Person.objects.create(
        organization=organization,
        user=user,
        name=name,
        department=department,
        position=position,
        email=email,
        is_org_admin=is_org_admin,
        must_change_password=user is not None,
    )
    if user is not None:
        Membership.objects.create(
            user=user,
            organization=organization,
            person=person,
            kind=kind,
            valid_from=member_from,
            valid_until=member_until,
            created_by=actor_name(actor),
        )
    record_change(
        organization,
        actor=actor,
        action=PeopleAuditAction.CREATE_PERSON,
        obj=person,
        after={
            "name": name,
            "username": username or "",
            "department": department.name if department else "",
            "position": position,
            "is_org_admin": is_org_admin,
            # The account's membership here ("" for a person without an account).
            "membership": kind.value if user is not None else "",
            "member_from": member_from,
            "member_until": member_until,
        },
    )
    return person


def _create_account(
    username: str, password: str | None, password_hash: str | None, email: str
) -> User:
    """A login account whose (temporary) password is given raw or already hashed."""
    user_model = get_user_model()
    user_model.username_validator(username)
    if user_model.objects.filter(username=username).exists():
        raise ValidationError(
            _("ユーザー名「%(name)s」は既に使われています。") % {"name": username}
        )
    user = user_model.objects.create_user(username=username, password=password, email=email)
    if password_hash is not None:
        user.password = password_hash
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def assign_role(
    organization: Organization,
    *,
    actor: Actor,
    person: Person,
    role_id: str,
    department: Department | None = None,
    system: Model | None = None,
    deputy_for: Person | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> RoleAssignment:
    """Let a person hold a role of the organisation's pack (for a department or system).

    `system` is a systems.System of the organisation: people never imports the registers
    (a higher layer), so it is typed as a model here and checked at run time.

    Refuses what can never be consistent: a system that is not the organisation's, a
    person deputising for themselves, a deputy (代行) for someone who does not hold the
    same role in the same scope during the period, and a period that ends before it
    begins. The pack's separation-of-duties constraints concern requests and are enforced
    by the engine per request.
    """
    access.require(actor, "people.manage", organization)
    _check_system(organization, system)
    assignment = RoleAssignment(
        organization=organization,
        person=person,
        role_id=role_id,
        department=department,
        system_id=system.pk if system is not None else None,
        deputy_for=deputy_for,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    _check_assignment(organization, assignment, system)
    assignment.save()
    record_change(
        organization,
        actor=actor,
        action=PeopleAuditAction.ASSIGN_ROLE,
        obj=assignment,
        after={
            "person": person.name,
            "role": role_id,
            "department": department.name if department else "",
            "system": str(system) if system is not None else "",
            "deputy_for": deputy_for.name if deputy_for else "",
            "valid_from": valid_from,
            "valid_until": valid_until,
        },
    )
    return assignment


@transaction.atomic
def clear_temporary_password(*, user: AbstractBaseUser, actor: Actor) -> int:
    """Mark that the user has replaced the temporary password, in every organisation.

    The account may have a Person in several organisations. Returns how many marks were
    cleared (0: the password was not a temporary one).
    """
    marked = Person.objects.select_for_update().filter(user_id=user.pk, must_change_password=True)
    for person in (marked_list := list(marked.select_related("organization").order_by("pk"))):
        person.must_change_password = False
        person.save(update_fields=["must_change_password"])
        record_change(
            person.organization,
            actor=actor,
            action=PeopleAuditAction.CHANGE_TEMPORARY_PASSWORD,
            obj=person,
            before={"must_change_password": True},
            after={"must_change_password": False},
        )
    return len(marked_list)


@transaction.atomic
def unlock_account(
    organization: Organization, *, actor: Actor, person: Person
) -> lockout.LockState:
    """Lift the failed-login lock (入力回数制限) of a person's account, with a record.

    Anyone may lock a colleague out by failing on purpose; an administrator lets them back
    in at once. Returns the state before: the failures forgotten and whether it was locked.
    """
    access.require(actor, "people.manage", organization)
    if person.organization_id != organization.pk:
        raise ValidationError(_("この職員は組織に属していません。"))
    if person.user is None:
        raise ValidationError(_("この職員にはログインアカウントがありません。"))
    before = lockout.state(person.user)
    record_change(
        organization,
        actor=actor,
        action=PeopleAuditAction.UNLOCK_ACCOUNT,
        obj=person,
        before={"locked": before.locked, "failed_logins": before.failures},
        after={"username": person.user.get_username(), "locked": False, "failed_logins": 0},
    )
    # After the record: a cache that cannot forget rolls the record back with it.
    lockout.unlock(person.user)
    return before


def _check_members(
    organization: Organization,
    person: Person,
    department: Department | None,
    deputy_for: Person | None,
) -> None:
    """Everything an assignment names belongs to the organisation."""
    if person.organization_id != organization.pk:
        raise ValidationError(_("この職員は組織に属していません。"))
    if department is not None and department.organization_id != organization.pk:
        raise ValidationError(_("部署が組織に属していません。"))
    if deputy_for is not None and deputy_for.organization_id != organization.pk:
        raise ValidationError(_("代行される者が組織に属していません。"))


def _check_system(organization: Organization, system: object) -> None:
    """The system an assignment names is a registered system of the organisation."""
    if system is None:
        return
    if not isinstance(system, Model) or system._meta.label_lower != SYSTEM_MODEL:
        raise TypeError(f"system must be a {SYSTEM_MODEL}, not {system!r}")
    if getattr(system, "organization_id", None) != organization.pk:
        raise ValidationError(_("対象システムがこの組織の情報システム台帳にありません。"))


def _check_scope(role: Role, department: Department | None, system: Model | None) -> None:
    """A department-scoped role names its department, a system-scoped one its system."""
    if role.scope == "department" and department is None:
        raise ValidationError(_("「%(role)s」には対象部署が必要です。") % {"role": role.title})
    if role.scope == "system" and system is None:
        raise ValidationError(_("「%(role)s」には対象システムが必要です。") % {"role": role.title})


def periods_overlap(
    a_from: date | None, a_until: date | None, b_from: date | None, b_until: date | None
) -> bool:
    """Whether two validity periods (None: open-ended) share at least one day."""
    return (a_from is None or b_until is None or a_from <= b_until) and (
        b_from is None or a_until is None or b_from <= a_until
    )


def _check_assignment(
    organization: Organization, assignment: RoleAssignment, system: Model | None
) -> None:
    """Refuse an assignment that can never be consistent with the pack and the register."""
    engine = engine_for(organization.pack_id, organization.pack_digest)
    roles = {r.id: r for r in engine.pack.roles}
    if assignment.role_id not in roles:
        raise ValidationError(
            _("役割「%(role)s」はこの組織のポリシーにありません。") % {"role": assignment.role_id}
        )
    role = roles[assignment.role_id]
    _check_members(organization, assignment.person, assignment.department, assignment.deputy_for)
    _check_scope(role, assignment.department, system)
    start, end = assignment.valid_from, assignment.valid_until
    if start and end and end < start:
        raise ValidationError(_("終了日が開始日より前です。"))
    if assignment.deputy_for is not None:
        _check_deputy(role, assignment, assignment.deputy_for)


def _check_deputy(role: Role, assignment: RoleAssignment, deputy_for: Person) -> None:
    """A deputy (代行) stands in for another holder of the same role, scope and time."""
    if deputy_for.pk == assignment.person.pk:
        raise ValidationError(_("自分自身の代行者にはなれません。"))
    held = RoleAssignment.objects.filter(person=deputy_for, role_id=role.id)
    if role.scope == "department":
        held = held.filter(department=assignment.department)
    elif role.scope == "system" and assignment.system_id is not None:
        held = held.filter(system_id=assignment.system_id)
    if not any(
        periods_overlap(a.valid_from, a.valid_until, assignment.valid_from, assignment.valid_until)
        for a in held.only("valid_from", "valid_until")
    ):
        raise ValidationError(
            _(
                "%(person)sは、この期間に同じ範囲の「%(role)s」を担っていないため、"
                "代行の対象にできません。"
            )
            % {"person": deputy_for.name, "role": role.title}
        )


@transaction.atomic
def end_assignment(
    organization: Organization, *, actor: Actor, assignment: RoleAssignment, on: date
) -> RoleAssignment:
    """End a role assignment on `on` (its last valid day); assignments are never deleted."""
    access.require(actor, "people.manage", organization)
    locked = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.organization_id != organization.pk:
        raise ValidationError(_("この割当ては組織に属していません。"))
    if locked.valid_from is not None and on < locked.valid_from:
        raise ValidationError(_("終了日が開始日より前です。"))
    if locked.valid_until is not None and locked.valid_until <= on:
        raise ValidationError(
            _("この割当ては既に%(date)sまでで終了しています。")
            % {"date": locked.valid_until.isoformat()}
        )
    before = {"valid_until": locked.valid_until}
    locked.valid_until = on
    locked.save(update_fields=["valid_until"])
    record_change(
        organization,
        actor=actor,
        action=PeopleAuditAction.END_ASSIGNMENT,
        obj=locked,
        before=before,
        after={"person": locked.person.name, "role": locked.role_id, "valid_until": on},
    )
    assignment.valid_until = on
    return locked


def temporary_password() -> str:
    """A random 16-character temporary password (about 93 bits) for a new account."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(16))


@transaction.atomic
def import_people(
    organization: Organization,
    *,
    actor: Actor,
    plan: ImportPlan,
    password_hashes: Mapping[str, str],
) -> list[Person]:
    """Write a checked people register file: departments, people, accounts and roles.

    All or nothing. `password_hashes` maps each new username to its hashed temporary
    password (hashed before the transaction opens).
    """
    access.require(actor, "people.manage", organization)
    if plan.errors:
        raise ValidationError(_("ファイルに誤りがあるため取り込めません。"))
    engine = engine_for(organization.pack_id, organization.pack_digest)
    scopes = {r.id: r.scope for r in engine.pack.roles}
    departments = {d.name: d for d in Department.objects.filter(organization=organization)}
    systems = {s.name: s for s in queries.systems(organization)}
    new = [name for name in plan.new_departments if name not in departments]
    for name in new:
        departments[name] = create_department(organization, actor=actor, name=name)
    for change in plan.updates:  # checked before the transaction; people are never deleted
        person = Person.objects.select_for_update().get(
            organization=organization, pk=change.pk or 0
        )
        fields = dict(change.update)
        if "department" in fields:
            fields["department"] = departments.get(str(fields["department"]))
        update_person(person, actor=actor, **fields)
    people = []
    for entry in plan.entries:
        department = departments[entry.department] if entry.department else None
        person = create_person(
            organization,
            actor=actor,
            name=entry.name,
            username=entry.username or None,
            department=department,
            position=entry.position,
            email=entry.email,
            is_org_admin=entry.is_org_admin,
            password_hash=password_hashes[entry.username] if entry.username else None,
        )
        for role_id in entry.roles:
            scope = scopes.get(role_id)
            if scope == "system" and entry.system not in systems:
                # The register changed since the file was checked.
                raise ValidationError(
                    _("情報システム「%(name)s」は情報システム台帳にありません。")
                    % {"name": entry.system}
                )
            assign_role(
                organization,
                actor=actor,
                person=person,
                role_id=role_id,
                department=department if scope == "department" else None,
                system=systems[entry.system] if scope == "system" else None,
            )
        people.append(person)
    record_change(
        organization,
        actor=actor,
        action=PeopleAuditAction.IMPORT_PEOPLE,
        object_type="people.person",
        after={"people": len(people), "changed": len(plan.updates), "accounts": plan.accounts,
               "departments_created": new},
    )  # fmt: skip
    return people


PERSON_FIELDS = frozenset({"name", "department", "position", "email", "is_org_admin"})


@transaction.atomic
def update_person(person: Person, *, actor: Actor, **fields: object) -> Person:
    """Change a person's 氏名, 所属, 役職, メールアドレス or 組織管理者 (recorded).

    Accounts, memberships and roles change through their own services.
    """
    access.require(actor, "people.manage", person.organization)
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    department = fields.get("department")
    if isinstance(department, Department) and department.organization_id != person.organization_id:
        raise ValidationError("部署が組織に属していません。")
    before = _person_snapshot(person)
    for key, value in fields.items():
        setattr(person, key, value)
    person.full_clean(exclude=["user", "organization"])
    person.save(update_fields=[*fields])
    record_change(
        person.organization,
        actor=actor,
        action=PeopleAuditAction.UPDATE_PERSON,
        obj=person,
        before=before,
        after=_person_snapshot(person),
    )
    return person


def _person_snapshot(person: Person) -> dict[str, object]:
    return {
        "name": person.name,
        "department": person.department.name if person.department else "",
        "position": person.position,
        "email": person.email,
        "is_org_admin": person.is_org_admin,
    }
