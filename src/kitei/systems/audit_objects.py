"""How the information system register appears in the audit trail (kitei.core.audit_display)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kitei.core.audit_display import Terms, register_object
from kitei.systems import queries
from kitei.systems.models import Software, System


def _terms(organization: Any) -> Terms:
    """The pack's network zones and availability levels in its words."""
    pack = queries.pack_of(organization)
    return Terms(
        values={
            "zone": queries.zone_titles(pack),
            "availability": dict(queries.availability_levels(pack)),
        }
    )


def register() -> None:
    """Name and link systems and their software (the system's page)."""
    register_object(
        System,
        read="systems.view",
        url=lambda s: reverse("systems:detail", args=[s.pk]),
        terms=_terms,
    )
    register_object(
        Software,
        read="systems.view",
        url=lambda s: reverse("systems:detail", args=[s.system_id]),
        related=("system",),
    )
