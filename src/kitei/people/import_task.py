"""The people register import as a background task (kitei.core.imports), for long files.

The temporary passwords are made and shown by the page that starts the task (once, never
stored); the task receives only their hashes, which are dropped when it ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kitei.core import access, imports, progress
from kitei.core.models import Organization
from kitei.people import csv_import, services


def run(
    organization: Organization, data: bytes, actor: access.Actor, options: Mapping[str, Any]
) -> imports.Outcome:
    """Check the file again and import it as `actor` with the hashes the page made."""
    hashes = dict(options.get("password_hashes", {}))
    plan = csv_import.read_people_csv(
        organization, data, create_departments=bool(options.get("create_departments"))
    )
    if not plan.ok:
        return imports.Outcome(errors=plan.error_lines())
    if {e.username for e in plan.entries if e.username} != set(hashes):
        raise ValidationError(_("アカウントが確認したときと違います。もう一度確認してください。"))
    progress.writing()
    services.import_people(organization, actor=actor, plan=plan, password_hashes=hashes)
    return imports.Outcome(summary=plan.summary())


KIND = imports.ImportKind(
    kind="people",
    title=gettext_lazy("職員名簿"),
    permission="people.manage",
    run=run,
    list_url="people:list",
    import_url="people:import",
)
