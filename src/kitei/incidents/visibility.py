"""Need-to-know: who may see an incident, and the audit record of each restricted read.

An incident flagged personal data or 特定個人情報 is `restricted`: only the reporter, the
recipients of its report steps, the holders of `incidents.triage` (the pack's CSIRT; the
organisation administrators by kitei's rule) and the pack's CISO see it; anyone else is
answered 404. Every read by an allowed person writes a `read_incident` ChangeRecord.
"""

from __future__ import annotations

from django.db import transaction

from kitei.core import access
from kitei.core.access import Actor
from kitei.core.actors import Operator
from kitei.core.services import record_change
from kitei.incidents.chain import pack_of
from kitei.incidents.choices import IncidentAuditAction
from kitei.incidents.models import Incident

TRIAGE = "incidents.triage"


def is_triage(actor: Actor, incident: Incident) -> bool:
    """Whether the actor evaluates and runs the response (the pack's CSIRT, or admins)."""
    return bool(access.check(actor, TRIAGE, incident))


def can_see(actor: Actor, incident: Incident) -> bool:
    """Everyone in the organisation, except for a restricted (personal-data) incident: only
    the reporter, the recipients of its steps, the CSIRT (triage) and the CISO."""
    if not access.check(actor, "incidents.view", incident):
        return False
    if not incident.restricted:
        return True
    person = access.person_of(actor)
    if person is None:
        return isinstance(actor, Operator)  # a server operator's command
    if person.pk == incident.reporter_id or is_triage(actor, incident):
        return True
    triage = pack_of(incident).incident_triage
    if triage is not None and triage.ciso and triage.ciso in access.roles_held_by(person):
        return True
    return incident.steps.filter(recipients=person).exists()


@transaction.atomic
def read_incident(incident: Incident, *, actor: Actor) -> Incident:
    """The incident for `actor`, or Http404-like PermissionDenied; restricted reads recorded."""
    if not can_see(actor, incident):
        raise Incident.DoesNotExist
    if incident.restricted:
        record_change(
            incident.organization,
            actor=actor,
            action=IncidentAuditAction.READ_INCIDENT,
            obj=incident,
            after={"number": incident.number},
        )
    return incident
