"""Database triggers guarding the audit trail: records append-only, the chain head forward only.

On both SQLite and PostgreSQL the database itself refuses to UPDATE or DELETE a change
record (TRUNCATE too on PostgreSQL), to move an organisation's chain head backwards, to
point it at anything but a record of its own chain, and to delete an organisation whose
chain has records. So a chain cannot be wiped and restarted through SQL without first
removing these triggers, which `kitei audit verify` notices (`absent`); and checkpoints
kept outside the database (`kitei.core.checkpoint`) notice even that.

Migration core 0006 installs them; `lifted()` removes them for one transaction only, for
emptying the whole database (`flush`: the demo reset and the tests' teardown) and for
tests that tamper as a database administrator would.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from kitei.core.immutable import refusing_function

RECORDS = "core_changerecord"
ORGANIZATIONS = "core_organization"

_APPEND_ONLY = "kitei: change records are append-only"
_FORWARD = "kitei: the audit chain head only moves forward, to a record of its chain"
_KEPT = "kitei: an organisation with an audit trail is kept"

# The head may stay, or move forward to a record that holds that seq and hash.
_HEAD_MOVES_WRONG = f"""
NEW.chain_seq < OLD.chain_seq
OR (NEW.chain_seq = OLD.chain_seq AND NEW.chain_head <> OLD.chain_head)
OR (NEW.chain_seq <> OLD.chain_seq AND NOT EXISTS (
  SELECT 1 FROM {RECORDS}
  WHERE organization_id = NEW.id AND seq = NEW.chain_seq AND hash = NEW.chain_head))
"""


def _sqlite_refusal(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END"


SQLITE_TRIGGERS: dict[str, tuple[str, str]] = {
    # name: (table, what fires it and the body)
    "core_changerecord_no_update": (
        RECORDS,
        f"BEFORE UPDATE ON {RECORDS} {_sqlite_refusal(_APPEND_ONLY + ' (UPDATE refused)')}",
    ),
    "core_changerecord_no_delete": (
        RECORDS,
        f"BEFORE DELETE ON {RECORDS} {_sqlite_refusal(_APPEND_ONLY + ' (DELETE refused)')}",
    ),
    "core_organization_head_forward": (
        ORGANIZATIONS,
        f"BEFORE UPDATE OF chain_seq, chain_head ON {ORGANIZATIONS} WHEN {_HEAD_MOVES_WRONG} "
        + _sqlite_refusal(_FORWARD + " (UPDATE refused)"),
    ),
    "core_organization_keeps_trail": (
        ORGANIZATIONS,
        f"BEFORE DELETE ON {ORGANIZATIONS} WHEN OLD.chain_seq > 0 "
        + _sqlite_refusal(_KEPT + " (DELETE refused)"),
    ),
}

_RECORD_FUNCTION = "kitei_change_record_append_only"  # migration 0002's, refusing any TG_OP
_HEAD_FUNCTION = "kitei_chain_head_forward"

POSTGRESQL_FUNCTIONS = (
    refusing_function(_RECORD_FUNCTION, "change records are append-only"),
    f"""
CREATE OR REPLACE FUNCTION {_HEAD_FUNCTION}() RETURNS trigger AS $$
BEGIN
  -- No percent sign: Django passes this text through a parameterised execute.
  IF TG_OP = 'UPDATE' THEN
    IF {_HEAD_MOVES_WRONG} THEN
      RAISE EXCEPTION USING MESSAGE = '{_FORWARD} (UPDATE refused)';
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' AND OLD.chain_seq = 0 THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION USING MESSAGE = '{_KEPT} (' || TG_OP || ' refused)';
END;
$$ LANGUAGE plpgsql;
""",
)

POSTGRESQL_TRIGGERS: dict[str, tuple[str, str]] = {
    # Migration 0002's trigger, part of the set so that re-installing restores it too.
    "core_changerecord_append_only": (
        RECORDS,
        f"BEFORE UPDATE OR DELETE ON {RECORDS} FOR EACH ROW EXECUTE FUNCTION {_RECORD_FUNCTION}()",
    ),
    "core_changerecord_no_truncate": (
        RECORDS,
        f"BEFORE TRUNCATE ON {RECORDS} FOR EACH STATEMENT EXECUTE FUNCTION {_RECORD_FUNCTION}()",
    ),
    "core_organization_head_forward": (
        ORGANIZATIONS,
        f"BEFORE UPDATE OF chain_seq, chain_head OR DELETE ON {ORGANIZATIONS} "
        f"FOR EACH ROW EXECUTE FUNCTION {_HEAD_FUNCTION}()",
    ),
    "core_organization_no_truncate": (
        ORGANIZATIONS,
        f"BEFORE TRUNCATE ON {ORGANIZATIONS} FOR EACH STATEMENT EXECUTE FUNCTION "
        f"{_HEAD_FUNCTION}()",
    ),
}
_BEFORE_0006 = ("core_changerecord_append_only",)  # kept when migration 0006 is reversed


def triggers(vendor: str) -> dict[str, tuple[str, str]]:
    """The guard triggers of a database kind: name → (table, definition); none elsewhere."""
    return {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS}.get(vendor, {})


def _drop(vendor: str, name: str, table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if vendor == "postgresql" else "")


def create_statements(vendor: str) -> list[str]:
    """SQL (re)creating every guard: PostgreSQL's functions first, each trigger afresh."""
    functions = list(POSTGRESQL_FUNCTIONS) if vendor == "postgresql" else []
    return functions + [
        sql
        for name, (table, body) in triggers(vendor).items()
        for sql in (_drop(vendor, name, table), f"CREATE TRIGGER {name} {body}")
    ]


def drop_statements(vendor: str, *, keep: tuple[str, ...] = ()) -> list[str]:
    """SQL dropping the guard triggers (but those in `keep`)."""
    return [
        _drop(vendor, name, table)
        for name, (table, _) in triggers(vendor).items()
        if name not in keep
    ]


def install(apps: Any, schema_editor: Any) -> None:
    """Migration step: install every guard (again: one dropped or disabled comes back)."""
    for sql in create_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def uninstall(apps: Any, schema_editor: Any) -> None:
    """Migration step back: drop the guards migration 0006 added."""
    for sql in drop_statements(schema_editor.connection.vendor, keep=_BEFORE_0006):
        schema_editor.execute(sql, params=None)


def absent(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The guard triggers missing from the database (or disabled, on PostgreSQL)."""
    connection = connections[using]
    expected = triggers(connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
                f"AND tgrelid IN ('{RECORDS}'::regclass, '{ORGANIZATIONS}'::regclass)"
            )
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            return []
        present = {name for (name,) in cursor.fetchall()}
    return [name for name in expected if name not in present]


@contextmanager
def lifted(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Remove the guards inside one transaction (or savepoint), then put them back.

    Only what runs inside the block is unguarded; an error inside rolls the removal back
    with everything else, so the guards are never left off.
    """
    connection = connections[using]
    vendor = connection.vendor
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                # DROP TRIGGER refuses a table with pending (deferred) checks: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for sql in drop_statements(vendor):
                cursor.execute(sql)
        yield
        with connection.cursor() as cursor:
            for sql in create_statements(vendor):
                cursor.execute(sql)
            if vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys' default
