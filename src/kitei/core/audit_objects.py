"""How core's own objects appear in the audit trail (kitei.core.audit_display)."""

from __future__ import annotations

from django.urls import reverse

from kitei.core.audit_display import register_object
from kitei.core.models import ApiToken, EvidenceFile, Organization, TaskProgress


def register() -> None:
    """Name and link the organisation, API tokens, evidence files and background imports."""
    register_object(Organization, read="org.view", url=lambda _org: reverse("home"))
    register_object(ApiToken, read="org.view", name=lambda t: t.name or f"{t.prefix}…")
    register_object(EvidenceFile, read="evidence.read", name=lambda e: e.original_name)
    register_object(
        TaskProgress,
        read="org.view",
        url=lambda t: reverse("import_progress", args=[t.pk]),
        name=lambda t: t.file_name or f"#{t.pk}",
    )
