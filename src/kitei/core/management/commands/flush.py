"""`flush` as Django's, which also empties the guarded audit trail (demo reset, tests).

Emptying every table is what flush is for; the audit guards (`kitei.core.guards`) are
lifted for flush's own transaction only and are back when it ends, failed or not.
Whoever can run it can also drop triggers: checkpoints kept outside the database
(`kitei audit checkpoint`) are what reveals a wiped trail.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush

from kitei.core import guards


class Command(flush.Command):
    """Django's flush, with the audit guards lifted inside its transaction."""

    help = flush.Command.help + " (kitei: the audit trail too; its guards are lifted meanwhile)"

    def handle(self, **options: Any) -> None:
        """Flush inside one transaction holding the guards off."""
        with guards.lifted(options["database"]):
            super().handle(**options)
