"""Text search of the 情報資産台帳 (issue 16; kitei.core.textsearch).

SQLite: an FTS5 table with the trigram tokenizer over name and description, external
content (the register's own rows), kept in step by triggers — every insert, delete and
change of name or description, bulk imports included — and filled from the rows already
there. PostgreSQL: a trigram index on the description beside migration 0003's on the name
(when pg_trgm can be created; without it the search still works, by a scan).

A later migration that rebuilds assets_asset on SQLite (Django copies the table for most
column changes) drops these triggers: tests/assets/test_text_search.py checks they exist
in the migrated schema.
"""

from typing import Any

from django.db import DatabaseError, migrations, transaction

SQLITE_FORWARDS = [
    "CREATE VIRTUAL TABLE assets_asset_fts USING fts5("
    "name, description, content='assets_asset', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER assets_asset_fts_insert AFTER INSERT ON assets_asset BEGIN "
    "INSERT INTO assets_asset_fts(rowid, name, description) "
    "VALUES (new.id, new.name, new.description); END",
    "CREATE TRIGGER assets_asset_fts_delete AFTER DELETE ON assets_asset BEGIN "
    "INSERT INTO assets_asset_fts(assets_asset_fts, rowid, name, description) "
    "VALUES ('delete', old.id, old.name, old.description); END",
    "CREATE TRIGGER assets_asset_fts_update AFTER UPDATE OF name, description ON assets_asset "
    "BEGIN "
    "INSERT INTO assets_asset_fts(assets_asset_fts, rowid, name, description) "
    "VALUES ('delete', old.id, old.name, old.description); "
    "INSERT INTO assets_asset_fts(rowid, name, description) "
    "VALUES (new.id, new.name, new.description); END",
    "INSERT INTO assets_asset_fts(assets_asset_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER IF EXISTS assets_asset_fts_insert",
    "DROP TRIGGER IF EXISTS assets_asset_fts_delete",
    "DROP TRIGGER IF EXISTS assets_asset_fts_update",
    "DROP TABLE IF EXISTS assets_asset_fts",
]
POSTGRESQL_INDEX = (
    "CREATE INDEX IF NOT EXISTS asset_description_trigram ON assets_asset "
    "USING gin ((UPPER(description::text)) gin_trgm_ops)"
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
        schema_editor.execute("DROP INDEX IF EXISTS asset_description_trigram")


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0005_home_and_detail_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
