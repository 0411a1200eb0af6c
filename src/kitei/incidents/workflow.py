"""The one transition table of incidents (CSIRT triage and response).

The clause of each transition is the pack's (`incident_triage`), so the service passes it
in the move's details; the table's own clause says where it comes from. Packs without a
triage clause record 「パックに定めなし」.
"""

from __future__ import annotations

from kitei.core.access import Permission
from kitei.core.workflow import Transition, TransitionTable
from kitei.incidents.choices import IncidentAuditAction, IncidentEvent, IncidentState

S, E, A = IncidentState, IncidentEvent, IncidentAuditAction
TRIAGE: Permission = "incidents.triage"
_PACK = "パックの incident_triage が定める条項（記録ごとに表示）"


def _t(next_state: str, action: IncidentAuditAction) -> Transition:
    return Transition(next_state=next_state, permission=TRIAGE, clause=_PACK, action=action)


INCIDENT_WORKFLOW = TransitionTable(
    states=IncidentState,
    events=IncidentEvent,
    transitions={
        (S.REPORTED, E.START_TRIAGE): _t(S.TRIAGE, A.START_TRIAGE),
        (S.TRIAGE, E.DISMISS): _t(S.NOT_INCIDENT, A.DISMISS_INCIDENT),
        (S.TRIAGE, E.RESPOND): _t(S.RESPONDING, A.RESPOND_INCIDENT),
        (S.RESPONDING, E.RECOVER): _t(S.RECOVERED, A.RECOVER_INCIDENT),
        (S.RECOVERED, E.REPORT_PREVENTION): _t(S.PREVENTION_REPORTED, A.REPORT_PREVENTION),
        (S.PREVENTION_REPORTED, E.CLOSE): _t(S.CLOSED, A.CLOSE_INCIDENT),
        (S.RECOVERED, E.REOPEN): _t(S.RESPONDING, A.REOPEN_INCIDENT),
        (S.PREVENTION_REPORTED, E.REOPEN): _t(S.RESPONDING, A.REOPEN_INCIDENT),
    },
)

NO_CLAUSE = "パックに定めなし"

# Which stage of `incident_triage` each event cites ("clause": the triage clause itself).
EVENT_CLAUSE = {
    E.START_TRIAGE: "clause",
    E.DISMISS: "clause",
    E.RESPOND: "respond",
    E.RECOVER: "recover",
    E.REPORT_PREVENTION: "prevention",
    E.CLOSE: "close",
    E.REOPEN: "",
}
