"""How campaigns, questionnaires and answers appear in the audit trail."""

from __future__ import annotations

from django.urls import reverse

from kitei.core.audit_display import register_object
from kitei.core.fiscal import fiscal_year_label
from kitei.inspections.models import Answer, Campaign, Questionnaire


def register() -> None:
    """Name each object in words and link it to its page."""
    register_object(
        Campaign,
        read="inspections.view",
        url=lambda c: reverse("inspections:campaign", args=[c.pk]),
        name=lambda c: f"{fiscal_year_label(c.fiscal_year)} {c.duty_title}",
        related=("organization",),
    )
    register_object(
        Questionnaire,
        read="inspections.view",
        url=lambda q: reverse("inspections:questionnaire", args=[q.pk]),
        name=lambda q: q.title,
        related=("organization",),
    )
    register_object(
        Answer,
        read="inspections.view",
        url=lambda a: (
            reverse("inspections:questionnaire", args=[a.questionnaire_id]) + f"#item-{a.item_id}"
        ),
        name=lambda a: f"{a.item.clause} {a.item.control_id}",
        related=("organization", "item"),
    )
