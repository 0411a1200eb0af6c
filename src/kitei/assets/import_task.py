"""The 情報資産台帳 import as a background task (kitei.core.imports), for long files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _

from kitei.assets import transfer
from kitei.core import access, imports
from kitei.core.models import Organization
from kitei.people.models import Department, Person


def may_manage_for(actor: access.Actor) -> transfer.MayManage:
    """Whether `actor` may register assets of a department (their assignments read once)."""
    person = access.person_of(actor)
    if isinstance(person, Person):
        prefetch_related_objects([person], "assignments")

    def may_manage(department: Department) -> bool:
        return access.check(actor, "assets.manage", department).allowed

    return may_manage


def run(
    organization: Organization, data: bytes, actor: access.Actor, options: Mapping[str, Any]
) -> imports.Outcome:
    """Check the file again and import it as `actor`, exactly as the import page does.

    `options["expected"]`: the fingerprint of the check the member confirmed.
    """
    plan = transfer.import_assets(
        organization,
        data,
        actor=actor,
        may_manage=may_manage_for(actor),
        expected=options.get("expected") or None,
    )
    return imports.Outcome(summary=plan.summary(), errors=[str(e) for e in plan.errors])


KIND = imports.ImportKind(
    kind="assets",
    title=_("情報資産台帳"),
    permission="assets.manage",
    run=run,
    list_url="assets:list",
    import_url="assets_import",
)
