"""Corrective actions (是正・改善措置) from an incident's recurrence-prevention report.

002 6-3(2)エ/オ: the CSIRT reports the prevention measures to the CISO, who orders them. Each
measure with an owner and a due date becomes a `kitei.corrective` action whose source is the
incident, citing the pack's prevention clause (「パックに定めなし」 where the pack has none).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.access import Actor
from kitei.corrective.models import CorrectiveAction
from kitei.corrective.services import raise_action
from kitei.incidents.chain import pack_of
from kitei.incidents.choices import IncidentState
from kitei.incidents.models import Incident
from kitei.incidents.workflow import NO_CLAUSE
from kitei.people.models import Person

OPEN_FOR_ACTIONS = (IncidentState.PREVENTION_REPORTED, IncidentState.CLOSED)


@transaction.atomic
def raise_prevention_action(
    incident: Incident,
    *,
    actor: Actor,
    title: str,
    owner: Person,
    due: date | None,
    plan: str = "",
) -> CorrectiveAction:
    """Open a corrective action for one prevention measure of the incident (CSIRT)."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    access.require(actor, "incidents.triage", incident)
    if incident.state not in OPEN_FOR_ACTIONS:
        raise ValidationError(_("再発防止策の報告の後に是正措置を起票できます。"))
    triage = pack_of(incident).incident_triage
    cited = (triage.close or triage.prevention) if triage else None
    return raise_action(
        incident.organization,
        incident,
        title,
        owner,
        due,
        actor=actor,
        plan=plan or incident.prevention,
        clause=cited.clause if cited else NO_CLAUSE,
        quote=cited.quote if cited else "",
    )
