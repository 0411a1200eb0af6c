"""Memberships: an existing account joins another organisation for a period, and leaves it.

An account created by the people register gets an open-ended membership (職員等) in its
organisation (`services.create_person`). These services let the same account belong to
further organisations — a prefecture's 情報セキュリティクラウド team (支援団体), an external
auditor (外部監査人, always with an end date) — as its own Person record there, whose roles
and rights are that organisation's. Memberships are never deleted: they end on a date.
Each change is checked by `access.require(actor, "people.manage", organization)` and
writes its ChangeRecord in that organisation's audit trail.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.models import Organization
from kitei.core.services import Actor, actor_name, record_change
from kitei.people.choices import MembershipKind, PeopleAuditAction
from kitei.people.models import Department, Membership, Person
from kitei.people.services import check_membership_period, membership_kind, periods_overlap


def _snapshot(membership: Membership) -> dict[str, Any]:
    return {
        "user": membership.user.get_username(),
        "person": membership.person.name,
        "kind": membership.kind,
        "valid_from": membership.valid_from,
        "valid_until": membership.valid_until,
    }


@transaction.atomic
def add_membership(
    organization: Organization,
    *,
    actor: Actor,
    user: User,
    kind: str = MembershipKind.MEMBER,
    valid_from: date | None = None,
    valid_until: date | None = None,
    name: str = "",
    department: Department | None = None,
) -> Membership:
    """Let an existing account belong to the organisation from `valid_from` (default today).

    The account's Person there is reused (a renewed membership) or created, named `name`
    or as in its other organisations; its temporary-password mark follows the account.
    Refuses an unknown kind, an external auditor without an end date, a period that ends
    before it begins or in the past, an inactive account, and a period overlapping another
    membership of the account in the same organisation.
    """
    access.require(actor, "people.manage", organization)
    checked = membership_kind(kind)
    start = valid_from or timezone.localdate()
    check_membership_period(checked, start, valid_until)
    if not user.is_active:
        raise ValidationError(_("無効なアカウントは所属させられません。"))
    if department is not None and department.organization_id != organization.pk:
        raise ValidationError(_("部署が組織に属していません。"))
    held = Membership.objects.select_for_update().filter(user=user, organization=organization)
    if any(periods_overlap(m.valid_from, m.valid_until, start, valid_until) for m in held):
        raise ValidationError(
            _("「%(user)s」には、組織「%(org)s」でこの期間と重なる所属が既にあります。")
            % {"user": user.get_username(), "org": organization.name}
        )
    person = Person.objects.filter(user=user, organization=organization).first()
    if person is None:
        person = _new_person(organization, actor=actor, user=user, name=name, department=department)
    membership = Membership(
        user=user,
        organization=organization,
        person=person,
        kind=checked,
        valid_from=start,
        valid_until=valid_until,
        created_by=actor_name(actor),
    )
    membership.full_clean()
    membership.save()
    record_change(
        organization,
        actor=actor,
        action=PeopleAuditAction.ADD_MEMBERSHIP,
        obj=membership,
        after=_snapshot(membership),
    )
    return membership


def _new_person(
    organization: Organization,
    *,
    actor: Actor,
    user: User,
    name: str,
    department: Department | None,
) -> Person:
    """The account's Person record in an organisation it joins (recorded as create_person)."""
    others = Person.objects.filter(user=user).order_by("-pk")
    known = others.first()
    person = Person.objects.create(
        organization=organization,
        user=user,
        name=name or (known.name if known is not None else user.get_username()),
        department=department,
        email=getattr(user, "email", "") or (known.email if known is not None else ""),
        must_change_password=others.filter(must_change_password=True).exists(),
    )
    record_change(
        organization,
        actor=actor,
        action=PeopleAuditAction.CREATE_PERSON,
        obj=person,
        after={
            "name": person.name,
            "username": user.get_username(),
            "department": department.name if department else "",
            "position": "",
            "is_org_admin": False,
        },
    )
    return person


@transaction.atomic
def end_membership(
    organization: Organization, *, actor: Actor, membership: Membership, on: date
) -> Membership:
    """End a membership on `on`, its last valid day (today or earlier: it ends at once)."""
    access.require(actor, "people.manage", organization)
    locked = Membership.objects.select_for_update().select_related("user", "person")
    locked_row = locked.get(pk=membership.pk)
    if locked_row.organization_id != organization.pk:
        raise ValidationError(_("この所属は組織のものではありません。"))
    if locked_row.valid_from is not None and on < locked_row.valid_from:
        raise ValidationError(_("終了日が開始日より前です。"))
    if locked_row.valid_until is not None and locked_row.valid_until <= on:
        raise ValidationError(
            _("この所属は既に%(date)sまでで終了しています。")
            % {"date": locked_row.valid_until.isoformat()}
        )
    before = _snapshot(locked_row)
    locked_row.valid_until = on
    locked_row.save(update_fields=["valid_until"])
    record_change(
        organization,
        actor=actor,
        action=PeopleAuditAction.END_MEMBERSHIP,
        obj=locked_row,
        before=before,
        after=_snapshot(locked_row),
    )
    membership.valid_until = on
    return locked_row
