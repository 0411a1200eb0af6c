"""Guard the audit trail in the database on SQLite and PostgreSQL (`kitei.core.guards`).

Change records refuse UPDATE and DELETE on SQLite too (PostgreSQL: since 0002) and
TRUNCATE on PostgreSQL; an organisation's chain head only moves forward, to a record of
its chain, and an organisation with records is never deleted.
"""

from django.db import migrations

from kitei.core import guards


class Migration(migrations.Migration):
    dependencies = [("core", "0005_evidence_file")]
    operations = [migrations.RunPython(guards.install, guards.uninstall)]
