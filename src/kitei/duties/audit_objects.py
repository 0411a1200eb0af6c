"""How settings, occurrences and training records appear in the audit trail."""

from __future__ import annotations

from django.urls import reverse

from kitei.core.audit_display import register_object
from kitei.duties.models import Attendance, DutyOccurrence, OrgSetting, TrainingSession


def register() -> None:
    """Name the duties app's rows and link them to their pages."""
    register_object(
        OrgSetting,
        read="duties.view",
        url=lambda s: reverse("duties:settings"),
        name=lambda s: s.key,
        related=("organization",),
    )
    register_object(
        DutyOccurrence,
        read="duties.view",
        url=lambda o: reverse("duties:calendar") + f"?year={o.fiscal_year}",
        name=lambda o: f"{o.duty} {o.period_start or o.completed_on}",
        related=("organization",),
    )
    register_object(
        TrainingSession,
        read="duties.view",
        url=lambda t: reverse("duties:training", args=[t.pk]),
        name=lambda t: f"{t.title} {t.held_on}",
        related=("organization",),
    )
    register_object(
        Attendance,
        read="duties.view",
        url=lambda a: reverse("duties:training", args=[a.session_id]),
        related=("organization",),
    )
