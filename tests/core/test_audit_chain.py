"""The audit trail: every service writes a chained record; tampering is found."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest
from django.db import connection, transaction

from kitei.cli import main
from kitei.core import guards
from kitei.core.models import ChangeRecord
from kitei.core.services import record_change, verify_audit_chain
from tests.conftest import SETUP


def _raw(sql: str, params: list[Any]) -> None:
    """Tamper directly in the database, as its administrator could: the guards lifted first."""
    with guards.lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def chain(mito: Any, sato: Any, suzuki: Any) -> list[ChangeRecord]:
    records = list(ChangeRecord.objects.filter(organization=mito).order_by("seq"))
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    assert len(records) >= 5
    return records


@pytest.mark.django_db
def test_services_write_linked_records(chain: list[ChangeRecord]) -> None:
    assert [r.action for r in chain[:2]] == ["create_organization", "create_department"]
    for prev, record in pairwise(chain):
        assert record.prev_hash == prev.hash
    assert verify_audit_chain().ok


@pytest.mark.django_db
def test_altered_record_is_named(chain: list[ChangeRecord]) -> None:
    _raw("UPDATE core_changerecord SET after = %s WHERE id = %s", ['{"name":"x"}', chain[2].pk])
    result = verify_audit_chain()
    assert result.problem == f"organization {chain[2].organization_id}: record #3 was altered"


@pytest.mark.django_db
def test_deleted_record_is_named(chain: list[ChangeRecord]) -> None:
    _raw("DELETE FROM core_changerecord WHERE id = %s", [chain[1].pk])
    assert verify_audit_chain().problem.endswith("record #2 is missing (found #3)")


@pytest.mark.django_db
def test_deleted_tail_is_found(chain: list[ChangeRecord]) -> None:
    _raw("DELETE FROM core_changerecord WHERE id = %s", [chain[-1].pk])
    assert verify_audit_chain().problem.endswith(f"records #{len(chain)}–#{len(chain)} are missing")


@pytest.mark.django_db
def test_reordered_records_are_found(chain: list[ChangeRecord]) -> None:
    a, b = chain[1], chain[2]
    _raw("UPDATE core_changerecord SET seq = 999999 WHERE id = %s", [a.pk])
    _raw("UPDATE core_changerecord SET seq = %s WHERE id = %s", [a.seq, b.pk])
    _raw("UPDATE core_changerecord SET seq = %s WHERE id = %s", [b.seq, a.pk])
    assert verify_audit_chain().problem.endswith("record #2 does not follow #1")


@pytest.mark.django_db
def test_inserted_record_is_found(chain: list[ChangeRecord]) -> None:
    last = chain[-1]
    _raw(
        "INSERT INTO core_changerecord (organization_id, seq, at, actor_name, action, "
        "object_type, object_id, before, after, prev_hash, hash) VALUES "
        "(%s, %s, %s, 'mallory', 'x', 'x', '1', '', '', %s, %s)",
        [last.organization_id, last.seq + 1, last.at, last.hash, "f" * 64],
    )
    assert verify_audit_chain().problem.endswith(f"record #{last.seq + 1} was altered")


@pytest.mark.django_db
def test_record_change_outside_a_transaction_is_refused(mito: Any) -> None:
    transaction.get_connection().in_atomic_block = False
    try:
        with pytest.raises(RuntimeError, match="inside the transaction"):
            record_change(mito, actor=SETUP, action="x")
    finally:
        transaction.get_connection().in_atomic_block = True


@pytest.mark.django_db
def test_crash_mid_service_leaves_no_partial_rows(mito: Any) -> None:
    from django.db import IntegrityError  # noqa: PLC0415

    from kitei.people.models import Department  # noqa: PLC0415
    from kitei.people.services import create_department  # noqa: PLC0415

    before = ChangeRecord.objects.count()
    create_department(mito, actor=SETUP, name="議事課")
    with pytest.raises(IntegrityError):
        create_department(mito, actor=SETUP, name="議事課")
    assert Department.objects.filter(organization=mito).count() == 1
    assert ChangeRecord.objects.count() == before + 1  # the failed call left no record
    assert verify_audit_chain().ok


@pytest.mark.django_db
def test_the_database_refuses_update_and_delete(chain: list[ChangeRecord]) -> None:
    from django.db import DatabaseError  # noqa: PLC0415

    for sql in ("UPDATE core_changerecord SET action = 'x'", "DELETE FROM core_changerecord"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)


@pytest.mark.django_db(transaction=False)
def test_audit_verify_command(
    chain: list[ChangeRecord], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify", "--org", "mito"]) == 0
    assert f"audit chain holds ({len(chain)} records)" in capsys.readouterr().out
    _raw("UPDATE core_changerecord SET actor_name = 'eve' WHERE id = %s", [chain[0].pk])
    assert main(["audit", "verify"]) == 1
    assert "record #1 was altered" in capsys.readouterr().err
    assert main(["audit", "verify", "--org", "nowhere"]) == 2
