"""Which audits and findings a person sees."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kitei.audits.choices import AuditState, FindingState, HorizontalAnswer
from kitei.audits.models import Audit, Finding, HorizontalCheck
from kitei.core import access
from kitei.core.models import Organization
from kitei.people.models import Person

OPEN_STATES = (FindingState.OPEN, FindingState.PLANNED)


def owned_open(organization: Organization, person: Person) -> QuerySet[Finding]:
    """Open findings the person owns."""
    return access.scoped(Finding.objects.all(), organization).filter(
        owner=person, state__in=OPEN_STATES
    )


def findings_for(
    organization: Organization, user: access.Actor, person: Person, *, mine: bool
) -> QuerySet[Finding]:
    """The findings the user may list: their own, or all with audits.view."""
    rows = access.scoped(Finding.objects.all(), organization)
    if mine or not access.check(user, "audits.view", organization).allowed:
        rows = rows.filter(owner=person)
    return rows.select_related("audit", "department", "owner").order_by("-raised_at", "-pk")


def may_view_audit(user: access.Actor, person: Person | None, audit: Audit) -> bool:
    """audits.view, or appointed to the audit."""
    if person is not None and audit.appointments.filter(person=person).exists():
        return True
    return access.check(user, "audits.view", audit).allowed


def may_view_finding(user: access.Actor, person: Person | None, finding: Finding) -> bool:
    """Its owner, a 管理者 asked to check for it in another 課, an auditor, or audits.view."""
    if person is not None and finding.owner_id == person.pk:
        return True
    if person is not None and finding.horizontal.filter(owner=person).exists():
        return True
    return may_view_audit(user, person, finding.audit)


def visible_audits(
    organization: Organization, user: access.Actor, person: Person
) -> QuerySet[Audit]:
    """Every audit with audits.view; otherwise those the person is appointed to."""
    rows = access.scoped(Audit.objects.all(), organization)
    if not access.check(user, "audits.view", organization).allowed:
        rows = rows.filter(Q(appointments__person=person)).distinct()
    return rows.select_related("programme")


def checks_awaiting(organization: Organization, person: Person) -> QuerySet[HorizontalCheck]:
    """Horizontal checks the person has still to answer."""
    return access.scoped(HorizontalCheck.objects.all(), organization).filter(
        owner=person, answer=HorizontalAnswer.ASKED
    )


def awaiting_receipt(organization: Organization) -> QuerySet[Audit]:
    """Audits whose issued report the CISO has not yet recorded as received."""
    return access.scoped(Audit.objects.all(), organization).filter(state=AuditState.ISSUED)
