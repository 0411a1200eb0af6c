"""RoleAssignment.system: from a system's name (text) to a foreign key to systems.System.

The name was compared as text, so renaming a system stripped its 情報システム管理者 of
their rights. Each stored name is mapped to the System of the same organisation; a name
that matches none stops the migration (listing every such assignment) rather than drop a
right silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import django.db.models.deletion
from django.db import migrations, models


@dataclass(frozen=True, kw_only=True)
class StoredAssignment:
    """What the migration needs of one assignment that names a system by text."""

    pk: int
    organization_id: int
    organization: str
    person: str
    role_id: str
    system_name: str


class UnknownSystemError(Exception):
    """Some assignments name a system that their organisation's register does not hold."""


def map_system_names(
    assignments: Iterable[StoredAssignment], systems: Mapping[tuple[int, str], int]
) -> dict[int, int]:
    """Assignment id → the id of the system of its organisation its name denotes.

    `systems` maps (organisation id, system name) to the system's id. Names are compared
    after trimming surrounding spaces (the forms trimmed them; older rows may not be).
    Raises UnknownSystemError listing organisation, person, role and name of every
    assignment whose name matches no system.
    """
    mapped: dict[int, int] = {}
    unknown: list[StoredAssignment] = []
    for a in assignments:
        found = systems.get((a.organization_id, a.system_name))
        if found is None:
            found = systems.get((a.organization_id, a.system_name.strip()))
        if found is None:
            unknown.append(a)
        else:
            mapped[a.pk] = found
    if unknown:
        lines = [
            f"  組織「{a.organization}」 職員「{a.person}」 役割 {a.role_id} "
            f"対象システム「{a.system_name}」"
            for a in unknown
        ]
        raise UnknownSystemError(
            "次の役割の割当ては、組織の情報システム台帳にない対象システムを指定しているため、"
            "移行できません。情報システムを台帳に登録するか、割当ての対象システムを直してから、"
            "もう一度 migrate を実行してください（権限を黙って失わせないため停止しました）:\n"
            + "\n".join(lines)
        )
    return mapped


def names_to_systems(apps: Any, schema_editor: Any) -> None:
    """Fill `system_fk` from the stored name of every assignment that names a system."""
    role_assignment = apps.get_model("people", "RoleAssignment")
    system = apps.get_model("systems", "System")
    rows = (
        role_assignment.objects.exclude(system="")
        .select_related("organization", "person")
        .order_by("pk")
    )
    stored = [
        StoredAssignment(
            pk=a.pk,
            organization_id=a.organization_id,
            organization=f"{a.organization.name}（{a.organization.slug}）",
            person=f"{a.person.name}（id {a.person_id}）",
            role_id=a.role_id,
            system_name=a.system,
        )
        for a in rows
    ]
    systems = {
        (organization_id, name): pk
        for pk, organization_id, name in system.objects.values_list("pk", "organization_id", "name")
    }
    for pk, system_id in map_system_names(stored, systems).items():
        role_assignment.objects.filter(pk=pk).update(system_fk_id=system_id)
    if schema_editor.connection.vendor == "postgresql":
        # Fire the deferred foreign-key checks now: PostgreSQL refuses to alter a table
        # with pending trigger events, and the text column is dropped next.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def systems_to_names(apps: Any, schema_editor: Any) -> None:
    """Reverse: write each assignment's system name back into the text column."""
    role_assignment = apps.get_model("people", "RoleAssignment")
    for a in role_assignment.objects.filter(system_fk__isnull=False).select_related("system_fk"):
        role_assignment.objects.filter(pk=a.pk).update(system=a.system_fk.name)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("systems", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="roleassignment",
            name="system_fk",
            field=models.ForeignKey(
                null=True,
                blank=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="systems.system",
            ),
        ),
        migrations.RunPython(names_to_systems, systems_to_names),
        migrations.RemoveField(model_name="roleassignment", name="system"),
        migrations.RenameField(
            model_name="roleassignment", old_name="system_fk", new_name="system"
        ),
        migrations.AlterField(
            model_name="roleassignment",
            name="system",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="role_assignments",
                to="systems.system",
                verbose_name="対象システム",
            ),
        ),
    ]
