"""Text search of the 情報システム台帳 by name (issue 16; kitei.core.textsearch).

SQLite: an FTS5 table with the trigram tokenizer over the name, external content, kept in
step by triggers (bulk imports included) and filled from the rows already there.
PostgreSQL: a trigram index on the name (when pg_trgm can be created).
"""

from typing import Any

from django.db import DatabaseError, migrations, transaction

SQLITE_FORWARDS = [
    "CREATE VIRTUAL TABLE systems_system_fts USING fts5("
    "name, content='systems_system', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER systems_system_fts_insert AFTER INSERT ON systems_system BEGIN "
    "INSERT INTO systems_system_fts(rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER systems_system_fts_delete AFTER DELETE ON systems_system BEGIN "
    "INSERT INTO systems_system_fts(systems_system_fts, rowid, name) "
    "VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER systems_system_fts_update AFTER UPDATE OF name ON systems_system BEGIN "
    "INSERT INTO systems_system_fts(systems_system_fts, rowid, name) "
    "VALUES ('delete', old.id, old.name); "
    "INSERT INTO systems_system_fts(rowid, name) VALUES (new.id, new.name); END",
    "INSERT INTO systems_system_fts(systems_system_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS systems_system_fts_insert",
    "DROP TRIGGER IF EXISTS systems_system_fts_delete",
    "DROP TRIGGER IF EXISTS systems_system_fts_update",
    "DROP TABLE IF EXISTS systems_system_fts",
]
POSTGRESQL_INDEX = (
    "CREATE INDEX IF NOT EXISTS system_name_trigram ON systems_system "
    "USING gin ((UPPER(name::text)) gin_trgm_ops)"
)


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_FORWARDS:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError:
            return
        schema_editor.execute(POSTGRESQL_INDEX)


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_BACKWARDS:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS system_name_trigram")


class Migration(migrations.Migration):
    dependencies = [
        ("systems", "0002_manager_operator_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
