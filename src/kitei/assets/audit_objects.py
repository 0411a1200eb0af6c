"""How the information asset register appears in the audit trail (kitei.core.audit_display)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kitei.assets import queries
from kitei.assets.models import Asset
from kitei.core.audit_display import Terms, register_object


def _terms(organization: Any) -> Terms:
    """The pack's classification axes and levels (confidentiality 2 → 機密性2)."""
    pack = queries.pack_of(organization)
    labels, values = {}, {}
    for axis in pack.classification.axes:
        labels[f"classification.{axis.id}"] = f"{axis.title}"
        values[f"classification.{axis.id}"] = {lv.id: lv.title for lv in axis.levels}
    return Terms(labels=labels, values=values)


def register() -> None:
    """Name and link assets (their page)."""
    register_object(
        Asset,
        read="assets.view",
        url=lambda a: reverse("assets:detail", args=[a.pk]),
        related=("system",),
        terms=_terms,
    )
