"""On PostgreSQL, refuse UPDATE and DELETE on the audit trail with a trigger."""

from django.db import migrations

from kitei.core.immutable import refuse_changes


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [
        refuse_changes(
            "core_changerecord",
            function="kitei_change_record_append_only",
            trigger="core_changerecord_append_only",
            what="change records are append-only",
        )
    ]
