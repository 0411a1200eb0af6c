"""The database guards the audit trail itself: no UPDATE, DELETE or TRUNCATE of records, and
an organisation's chain head that only moves forward (both SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from kitei.cli import main
from kitei.core import guards
from kitei.core.chain import GENESIS
from kitei.core.choices import CoreAuditAction
from kitei.core.models import ChangeRecord, Organization
from kitei.core.services import record_change, verify_audit_chain
from tests.conftest import SETUP, make_org


def _refused(sql: str, params: list[Any] | None = None, *, match: str) -> None:
    """The statement fails with the guard's message and changes nothing."""
    with (
        pytest.raises(DatabaseError, match=match),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_every_guard_is_installed(mito: Organization) -> None:
    assert guards.absent() == []
    assert guards.triggers(connection.vendor)  # SQLite has them too, not only PostgreSQL


@pytest.mark.django_db
def test_update_and_delete_of_a_record_are_refused(mito: Organization) -> None:
    record = ChangeRecord.objects.filter(organization=mito).first()
    assert record is not None
    _refused(
        "UPDATE core_changerecord SET after = '' WHERE id = %s",
        [record.pk],
        match=r"append-only \(UPDATE refused\)",
    )
    _refused(
        "DELETE FROM core_changerecord WHERE id = %s",
        [record.pk],
        match=r"append-only \(DELETE refused\)",
    )
    _refused("DELETE FROM core_changerecord", match="append-only")
    assert ChangeRecord.objects.get(pk=record.pk).after == record.after
    assert verify_audit_chain().ok


@pytest.mark.django_db
def test_postgresql_refuses_truncate(mito: Organization) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (its DELETE is refused above)")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no pending check
    _refused("TRUNCATE core_changerecord", match=r"append-only \(TRUNCATE refused\)")
    _refused("TRUNCATE core_changerecord CASCADE", match="append-only")
    _refused("TRUNCATE core_organization CASCADE", match="refused")
    assert ChangeRecord.objects.filter(organization=mito).count() == mito.chain_seq


@pytest.mark.django_db
def test_the_chain_head_only_moves_forward(mito: Organization) -> None:
    head = (mito.chain_seq, mito.chain_head)
    assert head[0] >= 1
    for sql, params in (
        ("UPDATE core_organization SET chain_seq = 0, chain_head = %s WHERE id = %s", [GENESIS]),
        ("UPDATE core_organization SET chain_seq = chain_seq - 1 WHERE id = %s", []),
        ("UPDATE core_organization SET chain_head = %s WHERE id = %s", ["f" * 64]),
        ("UPDATE core_organization SET chain_seq = chain_seq + 1 WHERE id = %s", []),
    ):
        _refused(sql, [*params, mito.pk], match="head only moves forward")
    stale = Organization.objects.get(pk=mito.pk)
    with transaction.atomic():
        record_change(mito, actor=SETUP, action=CoreAuditAction.UPGRADE_PACK, obj=mito)
    with pytest.raises(DatabaseError, match="head only moves forward"), transaction.atomic():
        stale.save()  # a stale copy would put the head back
    mito.refresh_from_db()
    assert mito.chain_seq == head[0] + 1
    assert verify_audit_chain().ok


@pytest.mark.django_db
def test_an_organisation_with_an_audit_trail_is_never_deleted(mito: Organization) -> None:
    _refused(
        "DELETE FROM core_organization WHERE id = %s",
        [mito.pk],
        match=r"audit trail is kept \(DELETE refused\)",
    )
    assert Organization.objects.filter(pk=mito.pk).exists()


@pytest.mark.django_db
def test_lifting_the_guards_lasts_one_transaction(mito: Organization) -> None:
    seen: list[list[str]] = []

    def fail_inside() -> None:
        with guards.lifted():
            seen.append(guards.absent())
            raise RuntimeError("inside")  # the removal rolls back with the block

    with pytest.raises(RuntimeError, match="inside"):
        fail_inside()
    assert seen == [list(guards.triggers(connection.vendor))]
    assert guards.absent() == []
    with guards.lifted():
        Organization.objects.filter(pk=mito.pk).update(chain_seq=0, chain_head=GENESIS)
    assert guards.absent() == []
    assert verify_audit_chain().problem is not None  # the records are beyond the head now


@pytest.mark.django_db
def test_verify_and_checkpoint_name_missing_guards(
    mito: Organization, settings: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = next(iter(guards.triggers(connection.vendor)))
    with connection.cursor() as cursor:
        cursor.execute(guards.drop_statements(connection.vendor)[0])
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert f"audit guards missing or disabled: {name} " in err
    assert len(err.splitlines()) == 1
    settings.CHECKPOINT_KEY = "k" * 32
    assert main(["audit", "checkpoint", "--out", str(tmp_path / "checkpoints")]) == 1
    assert capsys.readouterr().err == err  # written all the same, and the alarm raised
    assert (tmp_path / "checkpoints").read_text().count("\n") == 1


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_trail_and_keeps_the_guards() -> None:
    make_org()
    call_command("flush", interactive=False, verbosity=0)
    assert not ChangeRecord.objects.exists()
    assert not Organization.objects.exists()
    assert guards.absent() == []


@pytest.fixture
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    """A migration executor; the database is migrated to the leaves again afterwards."""
    executor = MigrationExecutor(connection)
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_migration_installs_and_removes_the_guards(executor: MigrationExecutor) -> None:
    executor.migrate([("core", "0005_evidence_file")])
    kept = ["core_changerecord_append_only"] if connection.vendor == "postgresql" else []
    assert sorted(guards.absent()) == sorted(set(guards.triggers(connection.vendor)) - set(kept))
    executor.loader.build_graph()
    executor.migrate([("core", "0006_audit_triggers")])
    assert guards.absent() == []
