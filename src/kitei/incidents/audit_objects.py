"""How the audit trail names and links the incidents app's objects."""

from __future__ import annotations

from django.urls import reverse

from kitei.core.audit_display import register_object
from kitei.incidents.models import Incident, ReportStep, TimelineEntry


def register() -> None:
    """Register incidents, report steps and timeline entries with the audit-trail page."""
    register_object(
        Incident,
        read="incidents.view",
        url=lambda i: reverse("incidents:detail", args=[i.pk]),
        name=lambda i: f"{i.number} {i.title}",
    )
    register_object(
        ReportStep,
        read="incidents.view",
        url=lambda s: reverse("incidents:detail", args=[s.incident_id]),
        name=lambda s: f"{s.clause} → {s.to_title}",
    )
    register_object(
        TimelineEntry,
        read="incidents.view",
        url=lambda e: reverse("incidents:detail", args=[e.incident_id]),
        name=str,
    )
