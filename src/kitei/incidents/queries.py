"""Read-only queries of incidents, shared by the list page, the home page and the API."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from kitei.core import access
from kitei.core.access import Actor
from kitei.core.models import Organization
from kitei.incidents.choices import StepState
from kitei.incidents.models import Incident, ReportStep
from kitei.people.models import Person

TRIAGE = "incidents.triage"


def visible(organization: Organization, actor: Actor) -> QuerySet[Incident]:
    """The organisation's incidents the actor may see (restricted ones only on their chain)."""
    incidents = Incident.objects.filter(organization=organization)
    if access.check(actor, TRIAGE, organization):
        return incidents
    person = access.person_of(actor)
    if person is None:
        return incidents.none()
    on_chain = ReportStep.objects.filter(incident=OuterRef("pk"), recipients=person)
    allowed = Q(restricted=False) | Q(reporter=person) | Exists(on_chain)
    return incidents.filter(allowed)


def waiting_on(organization: Organization, person: Person) -> QuerySet[ReportStep]:
    """Report steps sent to the person and not yet acknowledged."""
    return ReportStep.objects.filter(
        organization=organization, state=StepState.SENT, recipients=person, party=""
    )


def filtered(
    incidents: QuerySet[Incident],
    *,
    state: str = "",
    kind: str = "",
    year: int | None = None,
    waiting_for: Person | None = None,
) -> QuerySet[Incident]:
    """Incidents by state, kind, fiscal year (number prefix) or steps waiting on a person."""
    if state:
        incidents = incidents.filter(state=state)
    if kind:
        incidents = incidents.filter(kind=kind)
    if year is not None:
        from kitei.core import numbering  # noqa: PLC0415 - small helper

        incidents = incidents.filter(number__startswith=numbering.era_year(year) + "-")
    if waiting_for is not None:
        incidents = incidents.filter(
            Exists(
                ReportStep.objects.filter(
                    incident=OuterRef("pk"),
                    state=StepState.SENT,
                    recipients=waiting_for,
                    party="",
                )
            )
        )
    return incidents
