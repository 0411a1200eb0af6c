"""Indexes for the register's lists at scale (bench/register_bench.py).

Newest first, per organisation; names (a covering index for counting searches); the level
on each axis of the shipped packs (kitei.assets.expressions.AxisLevel). On PostgreSQL also
a trigram index for `name ILIKE '%…%'` searches of three characters or more, when the
pg_trgm extension can be created (a trusted extension since PostgreSQL 13); without it the
search still works, by a scan.
"""

from typing import Any

from django.db import DatabaseError, migrations, models, transaction

import kitei.assets.expressions

TRIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS asset_name_trigram ON assets_asset "
    "USING gin ((UPPER(name::text)) gin_trgm_ops)"
)


def trigram_forwards(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias):  # a savepoint: failure is no error
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return
    schema_editor.execute(TRIGRAM_INDEX)


def trigram_backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS asset_name_trigram")


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0002_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="asset",
            index=models.Index(
                fields=["organization", "created_at", "id"], name="asset_org_created"
            ),
        ),
        migrations.AddIndex(
            model_name="asset",
            index=models.Index(
                fields=["organization", "name", "created_at"], name="asset_org_name"
            ),
        ),
        migrations.AddIndex(
            model_name="asset",
            index=models.Index(
                models.F("organization"),
                kitei.assets.expressions.AxisLevel("confidentiality"),
                models.F("created_at"),
                name="asset_confidentiality",
            ),
        ),
        migrations.AddIndex(
            model_name="asset",
            index=models.Index(
                models.F("organization"),
                kitei.assets.expressions.AxisLevel("integrity"),
                models.F("created_at"),
                name="asset_integrity",
            ),
        ),
        migrations.AddIndex(
            model_name="asset",
            index=models.Index(
                models.F("organization"),
                kitei.assets.expressions.AxisLevel("availability"),
                models.F("created_at"),
                name="asset_availability",
            ),
        ),
        migrations.AddIndex(
            model_name="asset",
            index=models.Index(
                models.F("organization"),
                kitei.assets.expressions.AxisLevel("importance"),
                models.F("created_at"),
                name="asset_importance",
            ),
        ),
        migrations.RunPython(trigram_forwards, trigram_backwards),
    ]
