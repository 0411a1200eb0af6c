"""people/0002: role assignments' system names become foreign keys, never silently lost."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

MIGRATION = importlib.import_module("kitei.people.migrations.0002_roleassignment_system_fk")
BEFORE = [("people", "0001_initial"), ("systems", "0001_initial")]
AFTER = [("people", "0002_roleassignment_system_fk")]


def _stored(pk: int, org: int, name: str, person: str = "加藤") -> Any:
    return MIGRATION.StoredAssignment(
        pk=pk,
        organization_id=org,
        organization=f"org{org}",
        person=person,
        role_id="information_system_manager",
        system_name=name,
    )


def test_each_name_maps_to_the_system_of_its_own_organisation() -> None:
    systems = {(1, "議会情報システム"): 10, (2, "議会情報システム"): 20, (1, "財務"): 11}
    rows = [
        _stored(1, 1, "議会情報システム"),
        _stored(2, 2, "議会情報システム"),
        _stored(3, 1, " 財務 "),
    ]
    assert MIGRATION.map_system_names(rows, systems) == {1: 10, 2: 20, 3: 11}


def test_an_unknown_name_stops_the_mapping_naming_every_such_assignment() -> None:
    systems = {(1, "議会情報システム"): 10, (2, "組合業務システム"): 20}
    rows = [
        _stored(1, 1, "議会情報システム"),
        _stored(2, 1, "組合業務システム", person="森"),  # another organisation's system
        _stored(3, 1, "旧財務会計", person="林"),
    ]
    with pytest.raises(MIGRATION.UnknownSystemError) as caught:
        MIGRATION.map_system_names(rows, systems)
    message = str(caught.value)
    assert (
        "組織「org1」 職員「森」 役割 information_system_manager 対象システム「組合業務システム」"
        in message
    )
    assert (
        "組織「org1」 職員「林」 役割 information_system_manager 対象システム「旧財務会計」"
        in message
    )
    assert "加藤" not in message


@pytest.fixture
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    """The database migrated back to people/0001 (text names); forward to the leaves after."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _old_rows(executor: MigrationExecutor, *names: str) -> dict[str, Any]:
    """Two organisations with a system of the same name, and assignments naming `names`."""
    apps = executor.loader.project_state(BEFORE).apps
    org_model = apps.get_model("core", "Organization")
    dept_model = apps.get_model("people", "Department")
    person_model = apps.get_model("people", "Person")
    system_model = apps.get_model("systems", "System")
    assignment_model = apps.get_model("people", "RoleAssignment")
    made: dict[str, Any] = {}
    for slug in ("mito", "toyama"):
        org = org_model.objects.create(
            slug=slug, name=slug, pack_id="p", pack_version="1", pack_digest="d"
        )
        dept = dept_model.objects.create(organization=org, name="総務課")
        made[slug] = system_model.objects.create(
            organization=org, name="議会情報システム", department=dept
        )
    mito = made["mito"].organization
    person = person_model.objects.create(organization=mito, name="加藤 補佐")
    for name in names:
        made[name] = assignment_model.objects.create(
            organization=mito, person=person, role_id="information_system_manager", system=name
        )
    made["staff"] = assignment_model.objects.create(
        organization=mito, person=person, role_id="members_and_staff", system=""
    )
    return made


def test_the_migration_maps_names_to_systems_and_back(executor: MigrationExecutor) -> None:
    made = _old_rows(executor, "議会情報システム")
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    assignments = apps.get_model("people", "RoleAssignment").objects
    assert assignments.get(pk=made["議会情報システム"].pk).system_id == made["mito"].pk
    assert assignments.get(pk=made["staff"].pk).system_id is None
    executor.loader.build_graph()
    executor.migrate(BEFORE)  # reversible: the names come back
    apps = executor.loader.project_state(BEFORE).apps
    assignments = apps.get_model("people", "RoleAssignment").objects
    assert assignments.get(pk=made["議会情報システム"].pk).system == "議会情報システム"
    assert assignments.get(pk=made["staff"].pk).system == ""


def test_the_migration_fails_on_a_name_no_system_has(executor: MigrationExecutor) -> None:
    made = _old_rows(executor, "議会情報システム", "旧文書管理システム")
    with pytest.raises(MIGRATION.UnknownSystemError, match="対象システム「旧文書管理システム」"):
        executor.migrate(AFTER)
    # Nothing changed: the text column still holds every name.
    executor.loader.build_graph()
    apps = executor.loader.project_state(BEFORE).apps
    assignments = apps.get_model("people", "RoleAssignment").objects
    assert assignments.get(pk=made["議会情報システム"].pk).system == "議会情報システム"
    made["旧文書管理システム"].delete()  # the fixture migrates forward again
