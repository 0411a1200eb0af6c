"""The home page's figures from maintained counts (issue 16; assets.models.AssetTally).

Triggers on assets_asset keep one count per (organisation, department, status, disposed,
class): SQLite triggers with UPSERT, a PostgreSQL trigger function. The counts are filled
from the rows already there. A later migration that rebuilds assets_asset on SQLite drops
the triggers: tests/assets/test_tally.py checks they exist in the migrated schema.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

GROUP = "organization_id, department_id, classification_status, disposed, classification"


def _values(row: str) -> str:
    return (
        f"{row}.organization_id, {row}.department_id, {row}.classification_status, "
        f"{row}.disposed_at IS NOT NULL, {row}.classification"
    )


def _match(row: str) -> str:
    return (
        f"organization_id = {row}.organization_id AND department_id = {row}.department_id "
        f"AND classification_status = {row}.classification_status "
        f"AND disposed = ({row}.disposed_at IS NOT NULL) AND classification = {row}.classification"
    )


def _add(row: str, table: str = "assets_assettally") -> str:
    return (
        f"INSERT INTO assets_assettally ({GROUP}, n) VALUES ({_values(row)}, 1) "
        f"ON CONFLICT ({GROUP}) DO UPDATE SET n = {table}.n + 1"
    )


def _take(row: str) -> str:
    return f"UPDATE assets_assettally SET n = n - 1 WHERE {_match(row)}"


COLUMNS = "organization_id, department_id, classification_status, disposed_at, classification"
SQLITE = [
    f"CREATE TRIGGER assets_asset_tally_insert AFTER INSERT ON assets_asset BEGIN {_add('new')}; END",
    f"CREATE TRIGGER assets_asset_tally_delete AFTER DELETE ON assets_asset BEGIN {_take('old')}; END",
    f"CREATE TRIGGER assets_asset_tally_update AFTER UPDATE OF {COLUMNS} ON assets_asset "
    f"BEGIN {_take('old')}; {_add('new')}; END",
]
POSTGRESQL = [
    "CREATE FUNCTION assets_asset_tally() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_take('OLD')}; END IF; "
    f"IF TG_OP IN ('UPDATE', 'INSERT') THEN {_add('NEW')}; END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER assets_asset_tally AFTER INSERT OR DELETE OR UPDATE OF "
    f"{COLUMNS} ON assets_asset FOR EACH ROW EXECUTE FUNCTION assets_asset_tally()",
]
FILL = (
    f"INSERT INTO assets_assettally ({GROUP}, n) "
    "SELECT organization_id, department_id, classification_status, disposed_at IS NOT NULL, "
    "classification, COUNT(*) FROM assets_asset "
    "GROUP BY organization_id, department_id, classification_status, "
    "disposed_at IS NOT NULL, classification"
)


def forwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(vendor)
    if statements is None:
        raise RuntimeError(f"kitei runs on SQLite or PostgreSQL, not {vendor}")
    for statement in statements:
        schema_editor.execute(statement)
    schema_editor.execute(FILL)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for event in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS assets_asset_tally_{event}")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS assets_asset_tally ON assets_asset")
        schema_editor.execute("DROP FUNCTION IF EXISTS assets_asset_tally()")


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0006_text_search"),
        ("core", "0010_changerecord_trail_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="AssetTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("department_id", models.BigIntegerField()),
                ("classification_status", models.CharField(max_length=16)),
                ("disposed", models.BooleanField()),
                ("classification", models.JSONField(default=dict)),
                ("n", models.BigIntegerField(default=0)),
                (
                    "organization",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.organization",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "organization",
                            "department_id",
                            "classification_status",
                            "disposed",
                            "classification",
                        ),
                        name="asset_tally_group",
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
