"""The 情報システム台帳 import as a background task (kitei.core.imports), for long files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from kitei.core import access, imports
from kitei.core.models import Organization
from kitei.people.models import Person
from kitei.systems import transfer


def may_manage_for(actor: access.Actor, organization: Organization) -> transfer.MayManage:
    """Whether `actor` may keep a system (new: id None) with that 情報システム管理者."""
    person = access.person_of(actor)
    if isinstance(person, Person):
        prefetch_related_objects([person], "assignments")  # each system asked without a query

    def may_manage(system_id: int | None, manager: Person | None) -> bool:
        target = access.Target(
            organization_id=organization.pk,
            system_id=system_id,
            system_manager_id=manager.pk if manager is not None else None,
        )
        return access.check(actor, "systems.manage", target).allowed

    return may_manage


def run(
    organization: Organization, data: bytes, actor: access.Actor, options: Mapping[str, Any]
) -> imports.Outcome:
    """Check the file again and import it as `actor`, exactly as the import page does.

    `options["expected"]`: the fingerprint of the check the member confirmed.
    """
    plan = transfer.import_systems(
        organization,
        data,
        actor=actor,
        may_manage=may_manage_for(actor, organization),
        expected=options.get("expected") or None,
    )
    return imports.Outcome(summary=plan.summary(), errors=[str(e) for e in plan.errors])


KIND = imports.ImportKind(
    kind="systems",
    title=_("情報システム台帳"),
    permission="systems.manage",
    run=run,
    list_url="systems:list",
    import_url="systems_import",
)
