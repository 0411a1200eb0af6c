"""Choices of the audits app: kinds, methods, states, events and audit actions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.core import audit


class AuditKind(models.TextChoices):
    """What kind of audit (002 10-1(1) internal, 10-1(3) contractor, 4(3)イ external)."""

    INTERNAL = "internal", _("内部監査")
    EXTERNAL = "external", _("外部監査")
    CONTRACTOR = "contractor", _("委託事業者の監査")


class AuditMethod(models.TextChoices):
    """How the audit gathers evidence."""

    DOCUMENTS = "documents", _("書類の確認")
    INTERVIEW = "interview", _("ヒアリング")
    ON_SITE = "on_site", _("現地確認")
    TECHNICAL = "technical", _("技術的検証")


class AuditState(models.TextChoices):
    """Where an audit stands; 発行済 is sealed."""

    PLANNED = "planned", _("計画")
    FIELDWORK = "fieldwork", _("実施中")
    ISSUED = "issued", _("報告書発行済")
    RECEIVED = "received", _("CISO 受領済")


class AuditEvent(models.TextChoices):
    """What moves an audit."""

    START = "start", _("監査の開始")
    ISSUE = "issue", _("監査報告書の発行")
    RECEIVE = "receive", _("監査報告書の受領")


class FindingKind(models.TextChoices):
    """The kinds of finding (issue 14 point 5)."""

    MAJOR = "major", _("指摘事項（重大な不適合）")
    MINOR = "minor", _("指摘事項（軽微な不適合）")
    IMPROVEMENT = "improvement", _("改善提案")
    OBSERVATION = "observation", _("観察")
    GOOD_PRACTICE = "good_practice", _("良好事例")


ACTION_REQUIRED = (FindingKind.MAJOR, FindingKind.MINOR)


class FindingState(models.TextChoices):
    """Where a finding stands on its way to closure."""

    OPEN = "open", _("指摘")
    PLANNED = "planned", _("改善計画提出")
    CLOSED = "closed", _("クローズ")
    RISK_ACCEPTED = "risk_accepted", _("リスク受容")
    WITHDRAWN = "withdrawn", _("取下げ")


class FindingEvent(models.TextChoices):
    """What moves a finding."""

    SUBMIT_PLAN = "submit_plan", _("改善計画の提出")
    CLOSE = "close", _("クローズ")
    ACCEPT_RISK = "accept_risk", _("リスク受容")
    WITHDRAW = "withdraw", _("取下げ")


@audit.actions
class AuditsAuditAction(models.TextChoices):
    """What the audits app writes to the audit trail (values are stored; never change one)."""

    CREATE_PROGRAMME = "create_audit_programme", _("監査計画の作成")
    PLAN_AUDIT = "plan_audit", _("監査の計画")
    APPOINT_AUDITOR = "appoint_auditor", _("監査人の指名")
    REFUSED_APPOINTMENT = "refused_auditor_appointment", _("監査人の指名の拒否")
    START_AUDIT = "start_audit", _("監査の開始")
    RECORD_WORKING_PAPER = "record_working_paper", _("監査調書の記録")
    RECORD_ADDENDUM = "record_audit_addendum", _("監査の追補の記録")
    RAISE_FINDING = "raise_finding", _("指摘事項の起票")
    SUBMIT_PLAN = "submit_improvement_plan", _("改善計画の提出")
    CLOSE_FINDING = "close_finding", _("指摘事項のクローズ")
    ACCEPT_FINDING_RISK = "accept_finding_risk", _("指摘事項のリスク受容")
    WITHDRAW_FINDING = "withdraw_finding", _("指摘事項の取下げ")
    ISSUE_REPORT = "issue_audit_report", _("監査報告書の発行と封印")
    RECEIVE_REPORT = "receive_audit_report", _("監査報告書の受領")
    DEPLOY_HORIZONTALLY = "deploy_finding_horizontally", _("指摘事項の横展開の指示")
    ANSWER_HORIZONTAL = "answer_horizontal_check", _("横展開の確認結果の回答")


class HorizontalAnswer(models.TextChoices):
    """A 課's answer to a horizontal check (002 10-1(6)イ 有無を確認させ)."""

    ASKED = "asked", _("回答待ち")
    FOUND = "found", _("有")
    NOT_FOUND = "not_found", _("無")
