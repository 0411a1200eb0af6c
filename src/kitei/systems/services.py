"""State changes of the information system register; each writes its ChangeRecord."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.access import engine_for
from kitei.core.models import Organization
from kitei.core.services import Actor, record_change
from kitei.people.models import Department, Person
from kitei.systems.choices import SystemAuditAction
from kitei.systems.models import Software, System

EDITABLE = (
    "name",
    "department",
    "manager",
    "operator",
    "zone",
    "is_external_service",
    "availability",
    "security_requirements",
    "planned_until",
)


def snapshot(system: System) -> dict[str, Any]:
    """The register row as recorded in the audit trail."""
    return {
        "name": system.name,
        "department": system.department.name,
        "manager": system.manager.name if system.manager else "",
        "operator": system.operator.name if system.operator else "",
        "zone": system.zone,
        "is_external_service": system.is_external_service,
        "availability": system.availability,
        "security_requirements": system.security_requirements,
        "planned_until": system.planned_until,
    }


def _check(organization: Organization, fields: dict[str, Any]) -> None:
    """Tenant and pack consistency of a system's fields (Japanese messages)."""
    pack = engine_for(organization.pack_id, organization.pack_digest).pack
    dept = fields.get("department")
    if isinstance(dept, Department) and dept.organization_id != organization.pk:
        raise ValidationError(_("所管部署がこの組織にありません。"))
    for key in ("manager", "operator"):
        person = fields.get(key)
        if isinstance(person, Person) and person.organization_id != organization.pk:
            raise ValidationError(_("担当者がこの組織に属していません。"))
    zone = fields.get("zone")
    if zone:
        zones = {z.id for z in pack.network.zones}
        if zone not in zones:
            raise ValidationError(
                _("ネットワーク「%(zone)s」はこの組織のポリシーにありません。") % {"zone": zone}
            )
    level = fields.get("availability")
    if level:
        axis = next((a for a in pack.classification.axes if a.id == "availability"), None)
        if axis is None or level not in {lv.id for lv in axis.levels}:
            raise ValidationError(
                _("可用性の区分「%(level)s」はこの組織のポリシーにありません。") % {"level": level}
            )


def _target(organization: Organization, name: str, fields: Mapping[str, Any]) -> access.Target:
    """A system not yet registered, as `access.check` sees it: its 管理者 (named by `name`)."""
    manager = fields.get("manager")
    return access.Target(
        organization_id=organization.pk,
        system_manager_id=manager.pk if manager is not None else None,
    )


@transaction.atomic
def register_system(
    organization: Organization, *, actor: Actor, name: str, department: Department, **fields: Any
) -> System:
    """Add a system to the 情報システム台帳 (002 3(2)ア(イ))."""
    access.require(actor, "systems.manage", _target(organization, name, fields))
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    _check(organization, {"department": department, **fields})
    if System.objects.filter(organization=organization, name=name).exists():
        raise ValidationError(_("システム「%(name)s」は既に登録されています。") % {"name": name})
    system = System.objects.create(
        organization=organization, name=name, department=department, **fields
    )
    record_change(
        organization,
        actor=actor,
        action=SystemAuditAction.REGISTER_SYSTEM,
        obj=system,
        after=snapshot(system),
    )
    return system


@transaction.atomic
def update_system(system: System, *, actor: Actor, **fields: Any) -> System:
    """Change a system's register entry."""
    access.require(actor, "systems.manage", system)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    organization = system.organization
    _check(organization, fields)
    name = fields.get("name")
    if (
        name
        and System.objects.filter(organization=organization, name=name)
        .exclude(pk=system.pk)
        .exists()
    ):
        raise ValidationError(_("システム「%(name)s」は既に登録されています。") % {"name": name})
    before = snapshot(system)
    for key, value in fields.items():
        setattr(system, key, value)
    system.full_clean()
    system.save()
    record_change(
        organization,
        actor=actor,
        action=SystemAuditAction.UPDATE_SYSTEM,
        obj=system,
        before=before,
        after=snapshot(system),
    )
    return system


@transaction.atomic
def add_software(
    system: System,
    *,
    actor: Actor,
    name: str,
    version: str = "",
    end_of_support: date | None = None,
) -> Software:
    """Record software the system runs, with its end of support (002 7-4(1)キ)."""
    access.require(actor, "systems.manage", system)
    software = Software.objects.create(
        system=system, name=name, version=version, end_of_support=end_of_support
    )
    record_change(
        system.organization,
        actor=actor,
        action=SystemAuditAction.ADD_SOFTWARE,
        obj=software,
        after={
            "system": system.name,
            "name": name,
            "version": version,
            "end_of_support": end_of_support,
        },
    )
    return software


@transaction.atomic
def update_software(software: Software, *, actor: Actor, **fields: Any) -> Software:
    """Change what the register says of software (its system, name, version or end of support).

    Moving it to another system needs the right to keep both systems.
    """
    access.require(actor, "systems.manage", software.system)
    unknown = set(fields) - {"system", "name", "version", "end_of_support"}
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    system = fields.get("system")
    if isinstance(system, System):
        if system.organization_id != software.system.organization_id:
            raise ValidationError("情報システムがこの組織にありません。")
        access.require(actor, "systems.manage", system)
    before = _software_snapshot(software)
    for key, value in fields.items():
        setattr(software, key, value)
    software.save()
    record_change(
        software.system.organization,
        actor=actor,
        action=SystemAuditAction.UPDATE_SOFTWARE,
        obj=software,
        before=before,
        after=_software_snapshot(software),
    )
    return software


def _software_snapshot(software: Software) -> dict[str, Any]:
    return {
        "system": software.system.name,
        "name": software.name,
        "version": software.version,
        "end_of_support": software.end_of_support,
    }
