"""How corrective actions and their progress appear in the audit trail."""

from __future__ import annotations

from django.urls import reverse

from kitei.core.audit_display import register_object
from kitei.corrective.models import CorrectiveAction, ProgressEntry


def register() -> None:
    """Name actions by number and title, progress entries by their action; link both."""
    register_object(
        CorrectiveAction,
        read="corrective.view",
        url=lambda a: reverse("corrective:detail", args=[a.pk]),
        name=lambda a: f"{a.number} {a.title}",
        related=("organization",),
    )
    register_object(
        ProgressEntry,
        read="corrective.view",
        url=lambda e: reverse("corrective:detail", args=[e.action_id]) + f"#progress-{e.pk}",
        name=lambda e: f"{e.action.number} {e.recorded_at:%Y-%m-%d}",
        related=("organization", "action"),
    )
