"""On PostgreSQL, a trigger that refuses UPDATE and DELETE of a table's rows (for migrations).

The models refuse changes themselves; the trigger also stops raw SQL and bulk updates,
so an append-only table stays so whoever writes to the database.
"""

from __future__ import annotations

from django.db import migrations


def refusing_function(function: str, what: str) -> str:
    """PostgreSQL: a trigger function refusing whatever fired it, naming the operation."""
    return f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
  -- No percent sign: Django passes this text through a parameterised execute.
  RAISE EXCEPTION USING MESSAGE = 'kitei: {what} ('
    || TG_OP || ' refused)';
END;
$$ LANGUAGE plpgsql;
"""


def refuse_changes(table: str, *, function: str, trigger: str, what: str) -> migrations.RunPython:
    """A migration operation installing, on PostgreSQL only, the trigger refusing changes."""
    create_function = refusing_function(function, what)
    create_trigger = f"""
CREATE TRIGGER {trigger}
BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION {function}();
"""

    def forwards(apps: object, schema_editor: object) -> None:
        connection = schema_editor.connection  # type: ignore[attr-defined]  # BaseDatabaseSchemaEditor
        if connection.vendor == "postgresql":
            schema_editor.execute(create_function)  # type: ignore[attr-defined]
            schema_editor.execute(create_trigger)  # type: ignore[attr-defined]

    def backwards(apps: object, schema_editor: object) -> None:
        connection = schema_editor.connection  # type: ignore[attr-defined]
        if connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")  # type: ignore[attr-defined]

    return migrations.RunPython(forwards, backwards)
