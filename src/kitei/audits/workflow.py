"""The transition tables of audits and findings (kitei.core.workflow)."""

from __future__ import annotations

from kitei.audits.choices import (
    AuditEvent,
    AuditsAuditAction,
    AuditState,
    FindingEvent,
    FindingState,
)
from kitei.core.workflow import Transition, TransitionTable

LEAD_RULE = "情報セキュリティ監査統括責任者が監査を行う（監査の計画・実施の権限）"
REPORT_RULE = "監査結果を取りまとめ、CISO に報告する（10-1(4)、監査報告の受領の権限）"
OWNER_RULE = "指摘事項を所管する情報セキュリティ管理者が改善計画を策定する（10-1(6)ア の趣旨）"
CLOSE_RULE = "監査を行う側が是正措置の確認を経てクローズする（担当者は不可、kitei の規則）"

AUDIT_WORKFLOW = TransitionTable(
    states=AuditState,
    events=AuditEvent,
    transitions={
        (AuditState.PLANNED, AuditEvent.START): Transition(
            next_state=AuditState.FIELDWORK,
            permission="audits.manage",
            clause=LEAD_RULE,
            action=AuditsAuditAction.START_AUDIT,
        ),
        (AuditState.FIELDWORK, AuditEvent.ISSUE): Transition(
            next_state=AuditState.ISSUED,
            permission="audits.manage",
            clause=REPORT_RULE,
            action=AuditsAuditAction.ISSUE_REPORT,
        ),
        (AuditState.ISSUED, AuditEvent.RECEIVE): Transition(
            next_state=AuditState.RECEIVED,
            permission="audits.receive_report",
            clause=REPORT_RULE,
            action=AuditsAuditAction.RECEIVE_REPORT,
        ),
    },
)

FINDING_WORKFLOW = TransitionTable(
    states=FindingState,
    events=FindingEvent,
    transitions={
        (FindingState.OPEN, FindingEvent.SUBMIT_PLAN): Transition(
            next_state=FindingState.PLANNED,
            permission=None,
            clause=OWNER_RULE,
            action=AuditsAuditAction.SUBMIT_PLAN,
        ),
        (FindingState.OPEN, FindingEvent.CLOSE): Transition(
            next_state=FindingState.CLOSED,
            permission=None,
            clause=CLOSE_RULE,
            action=AuditsAuditAction.CLOSE_FINDING,
        ),
        (FindingState.PLANNED, FindingEvent.CLOSE): Transition(
            next_state=FindingState.CLOSED,
            permission=None,
            clause=CLOSE_RULE,
            action=AuditsAuditAction.CLOSE_FINDING,
        ),
        (FindingState.OPEN, FindingEvent.ACCEPT_RISK): Transition(
            next_state=FindingState.RISK_ACCEPTED,
            permission="audits.receive_report",
            clause="CISO がリスクを受容する（理由を記録、kitei の規則）",
            action=AuditsAuditAction.ACCEPT_FINDING_RISK,
        ),
        (FindingState.PLANNED, FindingEvent.ACCEPT_RISK): Transition(
            next_state=FindingState.RISK_ACCEPTED,
            permission="audits.receive_report",
            clause="CISO がリスクを受容する（理由を記録、kitei の規則）",
            action=AuditsAuditAction.ACCEPT_FINDING_RISK,
        ),
        (FindingState.OPEN, FindingEvent.WITHDRAW): Transition(
            next_state=FindingState.WITHDRAWN,
            permission="audits.manage",
            clause=LEAD_RULE,
            action=AuditsAuditAction.WITHDRAW_FINDING,
        ),
    },
)
