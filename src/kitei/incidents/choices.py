"""Choices of the incidents app: states, events, step states, timeline kinds, audit actions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.core import audit


class IncidentState(models.TextChoices):
    """Where an incident stands in the CSIRT's triage and response."""

    REPORTED = "reported", _("報告受付")
    TRIAGE = "triage", _("評価中")
    NOT_INCIDENT = "not_incident", _("非該当")
    RESPONDING = "responding", _("対応中")
    RECOVERED = "recovered", _("復旧")
    PREVENTION_REPORTED = "prevention_reported", _("再発防止策報告")
    CLOSED = "closed", _("終結")


OPEN_STATES = (
    IncidentState.REPORTED,
    IncidentState.TRIAGE,
    IncidentState.RESPONDING,
    IncidentState.RECOVERED,
    IncidentState.PREVENTION_REPORTED,
)


class IncidentEvent(models.TextChoices):
    """What moves an incident (the buttons of the triage panel)."""

    START_TRIAGE = "start_triage", _("評価を始める")
    DISMISS = "dismiss", _("非該当とする")
    RESPOND = "respond", _("インシデントと評価し対応を始める")
    RECOVER = "recover", _("復旧を記録する")
    REPORT_PREVENTION = "report_prevention", _("再発防止策を報告する")
    CLOSE = "close", _("終結する")
    REOPEN = "reopen", _("対応を再開する")


class Source(models.TextChoices):
    """Who noticed it first: inside the organisation, or 住民等外部 (002 6-3(1)ア, 003 6(4)ア)."""

    INTERNAL = "internal", _("組織内で認知")
    EXTERNAL = "external", _("住民等外部からの報告")


class Flag(models.TextChoices):
    """What the person filing ticks; the pack's step conditions read them."""

    PERSONAL_DATA = "personal_data", _("個人情報を含む")
    SPECIFIC_PERSONAL_DATA = "specific_personal_data", _("特定個人情報を含む")
    ATTACK = "attack", _("攻撃による")
    CRIME_SUSPECTED = "crime_suspected", _("犯罪の可能性がある")
    CONTRACTOR = "contractor", _("委託事業者が関わる")
    EXTERNAL_SERVICE = "external_service", _("外部サービスが関わる")
    MEMBER_FIRM = "member_firm", _("組合員の社内で発生")


RESTRICTED_FLAGS = frozenset({Flag.PERSONAL_DATA.value, Flag.SPECIFIC_PERSONAL_DATA.value})
"""Flags that make an incident need-to-know (reporter, recipients, CSIRT, CISO only)."""


class StepState(models.TextChoices):
    """A materialised report step: not yet open, sent, acknowledged, or not applicable."""

    WAITING = "waiting", _("待機")
    SENT = "sent", _("送付済み")
    ACKNOWLEDGED = "acknowledged", _("受領済み")
    NOT_APPLICABLE = "not_applicable", _("対象外")


class Means(models.TextChoices):
    """How a report reached its recipient (outside parties: 電話, 文書 …)."""

    KITEI = "kitei", _("kitei（画面・メール）")
    MAIL = "mail", _("電子メール")
    PHONE = "phone", _("電話")
    DOCUMENT = "document", _("文書")
    IN_PERSON = "in_person", _("対面")


class EntryKind(models.TextChoices):
    """Kinds of timeline entries."""

    DETECTION = "detection", _("検知")
    REPORT = "report", _("報告")
    INSTRUCTION = "instruction", _("指示")
    CONTAINMENT = "containment", _("応急措置")
    RECOVERY = "recovery", _("復旧")
    EVIDENCE = "evidence", _("証拠")
    DECISION = "decision", _("判断")
    CORRECTION = "correction", _("訂正")
    STATE_CHANGE = "state_change", _("状態の変更")


@audit.actions
class IncidentAuditAction(models.TextChoices):
    """What the incidents app writes to the audit trail (values are stored; never change one)."""

    FILE_INCIDENT = "file_incident", _("インシデントの報告")
    READ_INCIDENT = "read_incident", _("インシデントの閲覧（要配慮）")
    OPEN_REPORT_STEP = "open_report_step", _("報告手順の開始")
    ACKNOWLEDGE_REPORT = "acknowledge_report", _("報告の受領")
    DECIDE_REPORT_STEP = "decide_report_step", _("報告するかどうかの判断")
    START_TRIAGE = "start_incident_triage", _("インシデントの評価の開始")
    DISMISS_INCIDENT = "dismiss_incident", _("インシデント非該当の判断")
    RESPOND_INCIDENT = "respond_incident", _("インシデントへの対応の開始")
    RECOVER_INCIDENT = "recover_incident", _("インシデントの復旧")
    REPORT_PREVENTION = "report_prevention", _("再発防止策の報告")
    CLOSE_INCIDENT = "close_incident", _("インシデントの終結")
    REOPEN_INCIDENT = "reopen_incident", _("インシデントへの対応の再開")
    ADD_TIMELINE_ENTRY = "add_timeline_entry", _("経過記録の追加")
    JUDGE_SEVERITY = "judge_severity", _("重大度の判断")
