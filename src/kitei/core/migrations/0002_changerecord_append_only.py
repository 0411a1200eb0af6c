"""On PostgreSQL, refuse UPDATE and DELETE on the audit trail with a trigger."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION kitei_change_record_append_only() RETURNS trigger AS $$
BEGIN
  -- No percent sign: Django passes this text through a parameterised execute.
  RAISE EXCEPTION USING MESSAGE = 'kitei: change records are append-only ('
    || TG_OP || ' refused)';
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
CREATE TRIGGER core_changerecord_append_only
BEFORE UPDATE OR DELETE ON core_changerecord
FOR EACH ROW EXECUTE FUNCTION kitei_change_record_append_only();
"""


def forwards(apps: object, schema_editor: object) -> None:
    connection = schema_editor.connection  # type: ignore[attr-defined]  # BaseDatabaseSchemaEditor
    if connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)  # type: ignore[attr-defined]
        schema_editor.execute(TRIGGER)  # type: ignore[attr-defined]


def backwards(apps: object, schema_editor: object) -> None:
    connection = schema_editor.connection  # type: ignore[attr-defined]
    if connection.vendor == "postgresql":
        schema_editor.execute(  # type: ignore[attr-defined]
            "DROP TRIGGER IF EXISTS core_changerecord_append_only ON core_changerecord;"
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
