"""State changes of the core app: organisations and the audit trail."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from kitei.core import access, audit, chain
from kitei.core.bulk import insert_rows
from kitei.core.choices import CoreAuditAction
from kitei.core.models import ChangeRecord, Organization, PackVersion
from kitei.policy import LoadedPack, load_pack

Actor = access.Actor


def _actor_name(actor: Actor) -> str:
    """The name the audit trail keeps: the login, or the operator's name (os:USER …)."""
    if isinstance(actor, access.Operator):
        return actor.name
    if not actor.is_authenticated:
        raise PermissionDenied("an anonymous actor cannot change tenant data")
    return str(actor.get_username())


def actor_name(actor: Actor) -> str:
    """The name the audit trail keeps for `actor` (rows that note who made them use it too)."""
    return _actor_name(actor)


def record_change(
    organization: Organization,
    *,
    actor: Actor,
    action: audit.AuditAction,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    before: Any = None,
    after: Any = None,
) -> ChangeRecord:
    """Append one record to the organisation's chain; call inside the change's transaction.

    `action` is a registered audit action (`kitei.core.audit`); any other is a ValueError.
    """
    db = transaction.get_connection()
    if not db.in_atomic_block:
        raise RuntimeError("record_change must run inside the transaction of the change")
    registered = audit.action(action)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    lock_head, insert, move_head, fields = _append_sql(db.vendor)
    # Plain SQL, not the ORM: three statements per change, the head row locked first (FOR
    # UPDATE; SQLite's write transaction is already exclusive), so appends never interleave.
    with db.cursor() as cursor:
        cursor.execute(lock_head, [organization.pk])
        head = cursor.fetchone()
        if head is None:
            raise Organization.DoesNotExist(f"organization {organization.pk} does not exist")
        prev_hash = head[1]
        record = ChangeRecord(
            organization_id=organization.pk,
            seq=head[0] + 1,
            at=timezone.now(),
            actor=actor if isinstance(actor, User) else None,
            actor_name=_actor_name(actor),
            action=registered.value,
            object_type=object_type,
            object_id=object_id,
            before=chain.canonical_json(before),
            after=chain.canonical_json(after),
            prev_hash=prev_hash,
        )
        record.hash = chain.hash_of(record)
        cursor.execute(insert, [f.get_db_prep_save(f.pre_save(record, True), db) for f in fields])
        record.pk = (
            cursor.fetchone()[0] if db.features.can_return_columns_from_insert else cursor.lastrowid
        )
        cursor.execute(move_head, [record.seq, record.hash, organization.pk])
    record._state.adding, record._state.db = False, db.alias
    organization.chain_seq, organization.chain_head = record.seq, record.hash
    return record


@functools.cache
def _append_sql(vendor: str) -> tuple[str, str, str, list[Any]]:
    """An append's statements (lock and read the head, insert, move the head), its fields."""
    db = transaction.get_connection()
    q = db.ops.quote_name
    orgs, records = q(Organization._meta.db_table), q(ChangeRecord._meta.db_table)
    fields = [f for f in ChangeRecord._meta.concrete_fields if not f.primary_key]
    lock = " FOR UPDATE" if db.features.has_select_for_update else ""
    columns = ", ".join(q(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    returning = f" RETURNING {q('id')}" if db.features.can_return_columns_from_insert else ""
    return (
        f"SELECT chain_seq, chain_head FROM {orgs} WHERE id = %s{lock}",
        f"INSERT INTO {records} ({columns}) VALUES ({values}){returning}",
        f"UPDATE {orgs} SET chain_seq = %s, chain_head = %s WHERE id = %s",
        fields,
    )


def store_pack_version(loaded: LoadedPack) -> PackVersion:
    """Keep the exact bytes of a pack version (once per digest)."""
    stored, _ = PackVersion.objects.get_or_create(
        digest=loaded.digest,
        defaults={
            "pack_id": loaded.pack.id,
            "version": loaded.pack.version,
            "source": loaded.path.read_text(encoding="utf-8"),
        },
    )
    return stored


def _pack_snapshot(org: Organization) -> dict[str, str]:
    return {
        "pack_id": org.pack_id,
        "pack_version": org.pack_version,
        "pack_digest": org.pack_digest,
    }


@transaction.atomic
def create_organization(*, actor: Actor, slug: str, name: str, pack: str) -> Organization:
    """Create a tenant bound to a pack (id, version, digest and its exact bytes recorded)."""
    access.require(actor, "site.manage", None)
    loaded = load_pack(pack)
    store_pack_version(loaded)
    org = Organization.objects.create(
        slug=slug,
        name=name,
        pack_id=loaded.pack.id,
        pack_version=loaded.pack.version,
        pack_digest=loaded.digest,
    )
    record_change(
        org,
        actor=actor,
        action=CoreAuditAction.CREATE_ORGANIZATION,
        obj=org,
        after={"slug": slug, "name": name, **_pack_snapshot(org)},
    )
    return org


@transaction.atomic
def upgrade_pack(organization: Organization, *, actor: Actor, pack: str) -> Organization:
    """Bind the organisation to a new version of its pack: an explicit, recorded step."""
    access.require(actor, "site.manage", organization)
    loaded = load_pack(pack)
    if loaded.pack.id != organization.pack_id:
        raise ValueError(f"pack {loaded.pack.id} is not {organization.pack_id}")
    store_pack_version(loaded)
    before = _pack_snapshot(organization)
    organization.pack_version = loaded.pack.version
    organization.pack_digest = loaded.digest
    organization.save(update_fields=["pack_version", "pack_digest"])
    record_change(
        organization,
        actor=actor,
        action=CoreAuditAction.UPGRADE_PACK,
        obj=organization,
        before=before,
        after=_pack_snapshot(organization),
    )
    return organization


@dataclass(frozen=True, kw_only=True)
class Verification:
    """The result of verifying the audit chain."""

    checked: int
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


@contextmanager
def chain_snapshot() -> Iterator[Any]:
    """One read snapshot of the audit trail for the block; yields a cursor on it.

    A read transaction of its own (REPEATABLE READ on PostgreSQL, a deferred one on SQLite
    so writers are not held up) unless the caller already has a transaction open.
    """
    connection.ensure_connection()
    own_snapshot = connection.get_autocommit() and not _raw_transaction_open()
    with connection.cursor() as cursor:
        if own_snapshot:
            cursor.execute(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                if connection.vendor == "postgresql"
                else "BEGIN DEFERRED"
            )
        try:
            yield cursor
        finally:
            if own_snapshot:
                cursor.execute("COMMIT")


def _raw_transaction_open() -> bool:
    """A transaction begun by SQL (an enclosing `chain_snapshot`), which Django does not track."""
    raw = connection.connection
    if connection.vendor == "sqlite":
        return bool(raw.in_transaction)
    if connection.vendor == "postgresql":
        return bool(raw.info.transaction_status != 0)  # psycopg's TransactionStatus.IDLE
    return False


def verify_audit_chain(organization: Organization | None = None) -> Verification:
    """Recompute every record's hash and link; name the first record that breaks the chain.

    Reads one snapshot (`chain_snapshot`), so a record appended meanwhile is never half
    seen; see `kitei.core.chain` for the passes.
    """
    with chain_snapshot():
        checked, problem = chain.verify(
            connection.connection,
            vendor=connection.vendor,
            records=connection.ops.quote_name(ChangeRecord._meta.db_table),
            organizations=connection.ops.quote_name(Organization._meta.db_table),
            organization_id=None if organization is None else organization.pk,
        )
    return Verification(checked=checked, problem=problem)


def record_changes(
    organization: Organization, *, actor: Actor, entries: Iterable[Mapping[str, Any]]
) -> int:
    """Append many records under one lock, as that many `record_change` calls would.

    Entries hold `record_change`'s keyword arguments (a registered `action` each); the
    records share one time and go in through `kitei.core.bulk.insert_rows` (100,000 in
    seconds). Returns their number.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_changes must run inside the transaction of the change")
    head = (
        Organization.objects.select_for_update()
        .only("chain_seq", "chain_head")
        .get(pk=organization.pk)
    )
    seq, prev_hash = head.chain_seq, head.chain_head
    at = timezone.now()
    at_text, actor_name = chain.time_text(at), _actor_name(actor)
    user_id = actor.pk if isinstance(actor, User) else None
    rows = []
    for entry in entries:
        obj = entry.get("obj")
        action = audit.action(entry["action"]).value
        seq += 1
        object_type = entry.get("object_type") or (obj._meta.label_lower if obj else "")
        object_id = entry.get("object_id") or (str(obj.pk) if obj is not None else "")
        before = chain.canonical_json(entry.get("before"))
        after = chain.canonical_json(entry.get("after"))
        digest = chain.record_hash(
            prev_hash,
            org_id=organization.pk,
            seq=seq,
            at=at_text,
            actor_name=actor_name,
            action=action,
            object_type=object_type,
            object_id=object_id,
            before=before,
            after=after,
        )
        rows.append(
            (organization.pk, seq, at, user_id, actor_name, action, object_type,
             object_id, before, after, prev_hash, digest)
        )  # fmt: skip
        prev_hash = digest
    columns = ("organization", "seq", "at", "actor", "actor_name", "action", "object_type",
               "object_id", "before", "after", "prev_hash", "hash")  # fmt: skip
    insert_rows(ChangeRecord, columns, rows)
    Organization.objects.filter(pk=organization.pk).update(chain_seq=seq, chain_head=prev_hash)
    organization.chain_seq, organization.chain_head = seq, prev_hash
    return len(rows)
