"""The hash chain's canonical text, its SQL twin and the fast verification pass."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from django.db import connection, transaction

from kitei.assets.choices import AssetAuditAction
from kitei.core import chain, guards
from kitei.core.models import ChangeRecord, Organization
from kitei.core.services import record_change, verify_audit_chain
from tests.conftest import SETUP

FIELDS: dict[str, Any] = {
    "org_id": 7,
    "seq": 42,
    "at": "2026-04-01 03:04:05.000006",
    "actor_name": "sato",
    "action": "update_asset",
    "object_type": "assets.asset",
    "object_id": "13",
    "before": '{"name":"住民記録"}',
    "after": '{"name":"住民基本台帳"}',
}
PREV = "a" * 64


def test_canonical_text_is_the_fields_joined_by_the_unit_separator() -> None:
    text = chain.canonical_text(PREV, **FIELDS)
    assert text == "\x1f".join(
        [
            PREV,
            "7",
            "42",
            "2026-04-01 03:04:05.000006",
            "sato",
            "update_asset",
            "assets.asset",
            "13",
            '{"name":"住民記録"}',
            '{"name":"住民基本台帳"}',
        ]
    )
    assert chain.record_hash(PREV, **FIELDS) == hashlib.sha256(text.encode()).hexdigest()


def test_canonical_json_is_stable_and_keeps_japanese() -> None:
    assert (
        chain.canonical_json({"b": 1, "a": ["機密性 3A", None]}) == '{"a":["機密性 3A",null],"b":1}'
    )
    assert chain.canonical_json(None) == ""
    assert "\x1e" not in chain.canonical_json({"x": "\x1e\x1f"})  # escaped, never raw


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 4, 1, 3, 4, 5, 6),  # naive values are UTC
        datetime(2026, 4, 1, 3, 4, 5, 6, tzinfo=UTC),
        datetime(2026, 4, 1, 12, 4, 5, 6, tzinfo=timezone(timedelta(hours=9))),  # JST
        "2026-04-01 03:04:05.000006",  # as SQLite stores it
        "2026-04-01T12:04:05.000006+09:00",
    ],
)
def test_time_text_is_utc_with_microseconds(at: datetime | str) -> None:
    assert chain.time_text(at) == "2026-04-01 03:04:05.000006"


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 4, 1, 3, 4, 5),
        datetime(2026, 4, 1, 12, 4, 5, tzinfo=timezone(timedelta(hours=9))),
        "2026-04-01 03:04:05",  # str() of a whole second leaves out the microseconds
    ],
)
def test_time_text_of_a_whole_second_keeps_six_zeros(at: datetime | str) -> None:
    assert chain.time_text(at) == "2026-04-01 03:04:05.000000"


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_any_changed_field_changes_the_hash(field: str) -> None:
    changed = dict(FIELDS)
    value = changed[field]
    changed[field] = value + 1 if isinstance(value, int) else value[:-1] + "7"
    assert chain.record_hash(PREV, **changed) != chain.record_hash(PREV, **FIELDS)


def test_a_changed_previous_hash_changes_the_hash() -> None:
    assert chain.record_hash("b" * 64, **FIELDS) != chain.record_hash(PREV, **FIELDS)


def _chunk(records: list[dict[str, Any]], prev: str, links: list[str] | None = None) -> Any:
    """A fast-pass chunk row as the database returns it, from records' fields.

    `links` replaces the prev_hash of each record (the chain is hashed as so linked).
    """
    texts, hashes = [], []
    for n, fields in enumerate(records):
        text = chain.canonical_text(links[n] if links else prev, **fields)
        prev = hashlib.sha256(text.encode()).hexdigest()
        texts.append(text)
        hashes.append(prev)
    seqs = ",".join(str(f["seq"]) for f in records)
    return len(records), seqs, ",".join(hashes), "\x1e".join(texts).encode()


def _records(first: int, count: int) -> list[dict[str, Any]]:
    return [{**FIELDS, "seq": seq, "object_id": str(seq)} for seq in range(first, first + count)]


def test_check_chunk_accepts_a_linked_chunk_and_returns_its_last_hash() -> None:
    row = _chunk(_records(1, 3), chain.GENESIS)
    assert chain.check_chunk(row, 1, chain.GENESIS) == (row[2][-64:], 3)
    single = _chunk(_records(4, 1), row[2][-64:])
    assert chain.check_chunk(single, 4, row[2][-64:]) == (single[2], 1)
    assert chain.check_chunk((0, None, None, None), 4, "c" * 64) == ("c" * 64, 0)


def test_check_chunk_doubts_gaps_links_hashes_and_separators() -> None:
    row = _chunk(_records(1, 3), chain.GENESIS)
    assert chain.check_chunk(row, 2, chain.GENESIS) is None  # seqs do not start at 2
    assert chain.check_chunk(row, 1, "f" * 64) is None  # does not follow the given hash
    gap = _chunk([*_records(1, 1), *_records(3, 2)], chain.GENESIS)
    assert chain.check_chunk(gap, 1, chain.GENESIS) is None
    altered = (*row[:3], row[3].replace(b"update_asset", b"delete_asset", 1))
    assert chain.check_chunk(altered, 1, chain.GENESIS) is None
    # Hashes recomputed over a record linked to the wrong one: every hash matches its
    # text, only the link is wrong.
    relinked = _chunk(_records(1, 3), chain.GENESIS, links=[chain.GENESIS, "e" * 64, "e" * 64])
    assert chain.check_chunk(relinked, 1, chain.GENESIS) is None
    # A prev_hash that begins with the right hash but goes on past a separator.
    longer = _chunk(_records(1, 1), chain.GENESIS, links=[chain.GENESIS + "\x1f1"])
    assert chain.check_chunk(longer, 1, chain.GENESIS) is None
    for sep in ("\x1e", "\x1f"):  # inside a value, left to the exact pass
        split = _chunk([{**FIELDS, "seq": 1, "actor_name": f"a{sep}b"}], chain.GENESIS)
        assert chain.check_chunk(split, 1, chain.GENESIS) is None


def _write(org: Organization, count: int) -> None:
    with transaction.atomic():
        for n in range(count):
            record_change(
                org,
                actor=SETUP,
                action=AssetAuditAction.UPDATE_ASSET,
                object_type="assets.asset",
                object_id=str(n),
                before={"name": f"資産 {n}", "confidentiality": "3A"},
                after={"name": f"資産 {n + 1}", "note": "%s ' \" \x1f"},
            )


def _stored_text(record: ChangeRecord) -> str:
    """The canonical text as the database computes it for the fast pass."""
    connection.ensure_connection()
    placeholder = "%s" if connection.vendor == "postgresql" else "?"
    sql = f"SELECT {chain.text_sql(connection.vendor)} FROM core_changerecord WHERE id = "
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql + placeholder, [record.pk])
        [(text,)] = cursor.fetchall()
        return str(text)
    finally:
        cursor.close()


@pytest.mark.django_db
def test_sql_canonical_text_matches_python_for_stored_records(
    mito: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole_second = datetime(2026, 4, 1, 0, 0, 0, tzinfo=UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: whole_second)
    _write(mito, 2)
    monkeypatch.undo()
    _write(mito, 2)
    records = list(ChangeRecord.objects.filter(organization=mito).order_by("seq"))
    assert any(r.at.microsecond == 0 for r in records)
    for record in records:
        stored = _stored_text(record)
        assert hashlib.sha256(stored.encode()).hexdigest() == record.hash == chain.hash_of(record)


def _fast(org: Organization | None, chunk: int) -> int | None:
    """The fast pass alone over one organisation or all: a count, or None when in doubt."""
    orgs = Organization.objects.all() if org is None else Organization.objects.filter(pk=org.pk)
    return chain.fast_verify(
        connection.connection,
        vendor=connection.vendor,
        records=ChangeRecord._meta.db_table,
        heads={o.pk: (o.chain_seq, o.chain_head) for o in orgs},
        organization_id=None if org is None else org.pk,
        chunk=chunk,
    )


@pytest.mark.django_db
def test_fast_pass_checks_a_chain_of_several_chunks_itself(
    mito: Organization, toyama: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 4, 1, tzinfo=UTC))
    _write(mito, 6)
    monkeypatch.undo()
    _write(mito, 3)
    _write(toyama, 2)
    connection.ensure_connection()
    assert _fast(mito, chunk=2) == mito.chain_seq == 10  # not left to the exact pass
    assert _fast(mito, chunk=5) == 10  # the last chunk exactly full
    assert _fast(None, chunk=3) == 13  # every organisation, found by their records
    result = verify_audit_chain()
    assert (result.ok, result.checked) == (True, 13)


@pytest.mark.django_db
def test_fast_pass_doubts_and_exact_pass_names_a_record_in_a_later_chunk(
    mito: Organization,
) -> None:
    _write(mito, 8)
    record = ChangeRecord.objects.get(organization=mito, seq=7)
    with guards.lifted(), connection.cursor() as cursor:  # tamper as the table's owner would
        cursor.execute("UPDATE core_changerecord SET object_id = 'x' WHERE id = %s", [record.pk])
    assert _fast(mito, chunk=2) is None
    checked, problem = chain.verify(
        connection.connection,
        vendor=connection.vendor,
        records=ChangeRecord._meta.db_table,
        organizations=Organization._meta.db_table,
        chunk=2,
    )
    assert (checked, problem) == (6, f"organization {mito.pk}: record #7 was altered")


@pytest.mark.django_db
def test_records_beyond_the_head_are_doubted(mito: Organization) -> None:
    _write(mito, 3)
    with guards.lifted():  # the head moves back only with the guards off
        Organization.objects.filter(pk=mito.pk).update(chain_seq=2)
    assert _fast(mito, chunk=2) is None
    assert verify_audit_chain(mito).problem == (
        f"organization {mito.pk}: record #3 was inserted after the head"
    )


@pytest.mark.django_db(transaction=True)
def test_verification_outside_a_transaction_reads_its_own_snapshot() -> None:
    from tests.conftest import make_org  # noqa: PLC0415 - the builder, outside a fixture

    org = make_org()
    _write(org, 5)
    assert connection.get_autocommit()
    result = verify_audit_chain(org)
    assert (result.ok, result.checked) == (True, 6)
    assert connection.get_autocommit()  # the snapshot was closed
    _write(org, 1)  # and writing goes on


@pytest.mark.django_db
def test_record_change_returns_the_record_as_stored(
    mito: Organization, sato: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 4, 1, tzinfo=UTC))
    with transaction.atomic():
        record = record_change(
            mito,
            actor=sato.user,
            action=AssetAuditAction.UPDATE_ASSET,
            obj=mito,
            after={"name": "水戸"},
        )
    stored = ChangeRecord.objects.get(pk=record.pk)
    columns = [f.attname for f in ChangeRecord._meta.concrete_fields]
    assert [getattr(record, c) for c in columns] == [getattr(stored, c) for c in columns]
    assert (stored.actor_id, stored.actor_name) == (sato.user.pk, sato.user.username)
    assert (stored.object_type, stored.object_id) == ("core.organization", str(mito.pk))
    assert stored.hash == chain.hash_of(stored)
    mito.refresh_from_db()
    assert (mito.chain_seq, mito.chain_head) == (stored.seq, stored.hash)


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_to_one_organisation_stay_one_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself (BEGIN IMMEDIATE); the row lock is PG's")
    import threading  # noqa: PLC0415

    from tests.conftest import make_org  # noqa: PLC0415

    org = make_org()
    errors: list[BaseException] = []

    def append() -> None:
        try:
            for _ in range(10):
                _write(Organization.objects.get(pk=org.pk), 2)
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = verify_audit_chain(org)
    assert (result.ok, result.checked) == (True, 81)


@pytest.mark.django_db
def test_a_database_error_in_the_fast_pass_reaches_the_caller(mito: Organization) -> None:
    connection.ensure_connection()
    with pytest.raises(Exception, match="no_such_table"):  # the driver's own error class
        chain.fast_verify(
            connection.connection,
            vendor=connection.vendor,
            records="no_such_table",
            heads={},
            organization_id=mito.pk,
        )
