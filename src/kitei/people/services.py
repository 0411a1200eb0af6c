"""State changes of the people register; each writes its ChangeRecord."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from kitei.core.access import engine_for
from kitei.core.models import Organization
from kitei.core.services import Actor, record_change
from kitei.people.models import Department, Person, RoleAssignment


@transaction.atomic
def create_department(organization: Organization, *, actor: Actor, name: str) -> Department:
    """Add a department (課) to the organisation."""
    dept = Department.objects.create(organization=organization, name=name)
    record_change(
        organization, actor=actor, action="create_department", obj=dept, after={"name": name}
    )
    return dept


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
) -> Person:
    """Register a person; with a username, also an account whose password is temporary."""
    if department is not None and department.organization_id != organization.pk:
        raise ValidationError("部署が組織に属していません。")
    user = None
    if username:
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            raise ValidationError(f"ユーザー名「{username}」は既に使われています。")
        user = user_model.objects.create_user(username=username, password=password, email=email)
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
    record_change(
        organization,
        actor=actor,
        action="create_person",
        obj=person,
        after={
            "name": name,
            "username": username or "",
            "department": department.name if department else "",
            "position": position,
            "is_org_admin": is_org_admin,
        },
    )
    return person


@transaction.atomic
def assign_role(
    organization: Organization,
    *,
    actor: Actor,
    person: Person,
    role_id: str,
    department: Department | None = None,
    system: str = "",
    deputy_for: Person | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> RoleAssignment:
    """Let a person hold a role of the organisation's pack (for a department or system)."""
    engine = engine_for(organization.pack_id, organization.pack_digest)
    roles = {r.id: r for r in engine.pack.roles}
    if role_id not in roles:
        raise ValidationError(f"役割「{role_id}」はこの組織のポリシーにありません。")
    if person.organization_id != organization.pk:
        raise ValidationError("この職員は組織に属していません。")
    if roles[role_id].scope == "department" and department is None:
        raise ValidationError(f"「{roles[role_id].title}」には対象部署が必要です。")
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError("終了日が開始日より前です。")
    assignment = RoleAssignment.objects.create(
        organization=organization,
        person=person,
        role_id=role_id,
        department=department,
        system=system,
        deputy_for=deputy_for,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    record_change(
        organization,
        actor=actor,
        action="assign_role",
        obj=assignment,
        after={
            "person": person.name,
            "role": role_id,
            "department": department.name if department else "",
            "system": system,
            "deputy_for": deputy_for.name if deputy_for else "",
            "valid_from": valid_from,
            "valid_until": valid_until,
        },
    )
    return assignment


@transaction.atomic
def clear_temporary_password(*, user: AbstractBaseUser, actor: Actor) -> None:
    """Mark that the user has replaced the temporary password."""
    person = Person.objects.select_for_update().filter(user_id=user.pk).first()
    if person is None or not person.must_change_password:
        return
    person.must_change_password = False
    person.save(update_fields=["must_change_password"])
    record_change(
        person.organization,
        actor=actor,
        action="change_temporary_password",
        obj=person,
        before={"must_change_password": True},
        after={"must_change_password": False},
    )
