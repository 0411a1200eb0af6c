"""The transition tables of questionnaires and campaigns (kitei.core.workflow)."""

from __future__ import annotations

from kitei.core.workflow import Transition, TransitionTable
from kitei.inspections.choices import (
    CampaignEvent,
    CampaignState,
    InspectionAuditAction,
    QuestionnaireEvent,
    QuestionnaireState,
)

_Q, _E, _A = QuestionnaireState, QuestionnaireEvent, InspectionAuditAction

_ANSWERER = "回答は点検票の役割の保有者（又は項目を委任された職員）が行う（kitei の規則）"
_SUBMITTER = "提出は点検票の役割の保有者が行う（責任は役割の保有者に残る。kitei の規則）"
_REVIEWER = (
    "確認・差戻し・再開は確認者の役割の保有者が行う（役割の定めがない場合は自己点検の管理者。"
    "kitei の規則）"
)

QUESTIONNAIRE_WORKFLOW = TransitionTable(
    states=QuestionnaireState,
    events=QuestionnaireEvent,
    transitions={
        (_Q.NOT_STARTED, _E.START): Transition(
            next_state=_Q.ANSWERING,
            permission=None,
            clause=_ANSWERER,
            action=_A.START_QUESTIONNAIRE,
        ),
        (_Q.ANSWERING, _E.SUBMIT): Transition(
            next_state=_Q.SUBMITTED,
            permission=None,
            clause=_SUBMITTER,
            action=_A.SUBMIT_QUESTIONNAIRE,
        ),
        (_Q.RETURNED, _E.SUBMIT): Transition(
            next_state=_Q.SUBMITTED,
            permission=None,
            clause=_SUBMITTER,
            action=_A.SUBMIT_QUESTIONNAIRE,
        ),
        (_Q.SUBMITTED, _E.CONFIRM): Transition(
            next_state=_Q.CONFIRMED,
            permission=None,
            clause=_REVIEWER,
            action=_A.CONFIRM_QUESTIONNAIRE,
        ),
        (_Q.SUBMITTED, _E.RETURN): Transition(
            next_state=_Q.RETURNED,
            permission=None,
            clause=_REVIEWER,
            action=_A.RETURN_QUESTIONNAIRE,
        ),
        (_Q.SUBMITTED, _E.REOPEN): Transition(
            next_state=_Q.ANSWERING,
            permission=None,
            clause=_REVIEWER,
            action=_A.REOPEN_QUESTIONNAIRE,
        ),
        (_Q.CONFIRMED, _E.REOPEN): Transition(
            next_state=_Q.ANSWERING,
            permission=None,
            clause=_REVIEWER,
            action=_A.REOPEN_QUESTIONNAIRE,
        ),
    },
)

CAMPAIGN_WORKFLOW = TransitionTable(
    states=CampaignState,
    events=CampaignEvent,
    transitions={
        (CampaignState.RUNNING, CampaignEvent.TALLY): Transition(
            next_state=CampaignState.TALLYING,
            permission="inspections.manage",
            clause="自己点検の結果の取りまとめ（kitei の規則: 自己点検の管理者が行う）",
            action=_A.TALLY_CAMPAIGN,
        ),
        (CampaignState.TALLYING, CampaignEvent.CLOSE): Transition(
            next_state=CampaignState.CLOSED,
            permission="inspections.manage",
            clause="自己点検の完了（kitei の規則: 自己点検の管理者が行う）",
            action=_A.CLOSE_CAMPAIGN,
        ),
    },
)
