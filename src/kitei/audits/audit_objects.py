"""How audits, appointments, working papers and findings appear in the audit trail."""

from __future__ import annotations

from django.urls import reverse

from kitei.audits.models import (
    Appointment,
    Audit,
    AuditProgramme,
    Finding,
    HorizontalCheck,
    WorkingPaper,
)
from kitei.core.audit_display import register_object


def register() -> None:
    """Name each by its number (or its audit's) and link it to the audit's pages."""
    register_object(
        AuditProgramme,
        read="audits.view",
        url=lambda p: reverse("audits:programme", args=[p.fiscal_year]),
        related=("organization",),
    )
    register_object(
        Audit,
        read="audits.view",
        url=lambda a: reverse("audits:detail", args=[a.pk]),
        name=lambda a: f"{a.number} {a.title}",
        related=("organization",),
    )
    register_object(
        Appointment,
        read="audits.view",
        url=lambda a: reverse("audits:detail", args=[a.audit_id]) + "#auditors",
        name=lambda a: f"{a.audit.number} {a.person.name}",
        related=("organization", "audit", "person"),
    )
    register_object(
        WorkingPaper,
        read="audits.view",
        url=lambda p: reverse("audits:detail", args=[p.audit_id]) + f"#paper-{p.pk}",
        name=lambda p: f"{p.audit.number} {p.item}",
        related=("organization", "audit"),
    )
    register_object(
        HorizontalCheck,
        read="audits.view",
        url=lambda c: reverse("audits:finding", args=[c.finding_id]) + "#horizontal",
        name=lambda c: f"{c.finding.number} {c.department.name}",
        related=("organization", "finding", "department"),
    )
    register_object(
        Finding,
        read="audits.view",
        url=lambda f: reverse("audits:finding", args=[f.pk]),
        name=lambda f: f"{f.number} {f.title}",
        related=("organization",),
    )
