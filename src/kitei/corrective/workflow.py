"""The one transition table of corrective actions (kitei.core.workflow).

Every move is decided by the service's own rule (`permission=None`): the owner works and
reports, a verifier who is not the owner confirms or returns.
"""

from __future__ import annotations

from kitei.core.workflow import Transition, TransitionTable
from kitei.corrective.choices import ActionEvent, ActionState, CorrectiveAuditAction

OWNER_RULE = "担当者が対応し完了を報告する（kitei の規則）"
VERIFIER_RULE = "担当者以外の確認者が確認する（kitei の規則: 職務の分離）"

_start = Transition(
    next_state=ActionState.IN_PROGRESS,
    permission=None,
    clause=OWNER_RULE,
    action=CorrectiveAuditAction.START_ACTION,
)
_report = Transition(
    next_state=ActionState.REPORTED,
    permission=None,
    clause=OWNER_RULE,
    action=CorrectiveAuditAction.REPORT_ACTION_DONE,
)

CORRECTIVE_WORKFLOW = TransitionTable(
    states=ActionState,
    events=ActionEvent,
    transitions={
        (ActionState.RAISED, ActionEvent.START): _start,
        (ActionState.RETURNED, ActionEvent.START): _start,
        (ActionState.RAISED, ActionEvent.REPORT_DONE): _report,
        (ActionState.IN_PROGRESS, ActionEvent.REPORT_DONE): _report,
        (ActionState.RETURNED, ActionEvent.REPORT_DONE): _report,
        (ActionState.REPORTED, ActionEvent.VERIFY): Transition(
            next_state=ActionState.VERIFIED,
            permission=None,
            clause=VERIFIER_RULE,
            action=CorrectiveAuditAction.VERIFY_ACTION,
        ),
        (ActionState.REPORTED, ActionEvent.RETURN): Transition(
            next_state=ActionState.RETURNED,
            permission=None,
            clause=VERIFIER_RULE,
            action=CorrectiveAuditAction.RETURN_ACTION,
        ),
    },
)
