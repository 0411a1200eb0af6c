"""people/0003: every existing account keeps its access through one open-ended membership."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("people", "0002_roleassignment_system_fk")]
AFTER = [("people", "0003_membership")]


@pytest.fixture
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    """The database migrated back to people/0002 (one person per account); forward after."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_each_person_with_an_account_gets_one_member_membership(
    executor: MigrationExecutor,
) -> None:
    apps = executor.loader.project_state(BEFORE).apps
    org_model = apps.get_model("core", "Organization")
    user_model = apps.get_model("auth", "User")
    person_model = apps.get_model("people", "Person")
    orgs = [
        org_model.objects.create(slug=s, name=s, pack_id="p", pack_version="1", pack_digest=s)
        for s in ("mito", "toyama")
    ]
    sato = person_model.objects.create(
        organization=orgs[0], name="佐藤", user=user_model.objects.create(username="sato")
    )
    yamada = person_model.objects.create(
        organization=orgs[1], name="山田", user=user_model.objects.create(username="yamada")
    )
    person_model.objects.create(organization=orgs[0], name="議員（アカウントなし）")
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    rows = apps.get_model("people", "Membership").objects.order_by("person_id")
    assert [
        (m.person_id, m.user_id, m.organization_id, m.kind, m.valid_from, m.valid_until)
        for m in rows
    ] == [
        (sato.pk, sato.user_id, orgs[0].pk, "member", None, None),
        (yamada.pk, yamada.user_id, orgs[1].pk, "member", None, None),
    ]
    executor.loader.build_graph()
    executor.migrate(BEFORE)  # reversible while each account has one person
    apps = executor.loader.project_state(BEFORE).apps
    assert apps.get_model("people", "Person").objects.count() == 3
