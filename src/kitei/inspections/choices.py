"""Choices of the inspections app: states, events, answers and the audit actions it records."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.core import audit


class CampaignState(models.TextChoices):
    """Where a campaign stands (§5.3: 準備 → 実施中 → 集計 → 完了)."""

    RUNNING = "running", _("実施中")
    TALLYING = "tallying", _("集計")
    CLOSED = "closed", _("完了")


class CampaignEvent(models.TextChoices):
    TALLY = "tally", _("集計の開始")
    CLOSE = "close", _("完了")


class Scope(models.TextChoices):
    """What one questionnaire covers (the controls' `scope`)."""

    ORGANIZATION = "organization", _("組織全体")
    DEPARTMENT = "department", _("課")
    SYSTEM = "system", _("情報システム")
    PERSON = "person", _("個人")


class QuestionnaireState(models.TextChoices):
    """Where a questionnaire stands: 未着手 → 回答中 → 提出 → 確認済 | 差戻し."""

    NOT_STARTED = "not_started", _("未着手")
    ANSWERING = "answering", _("回答中")
    SUBMITTED = "submitted", _("提出")
    CONFIRMED = "confirmed", _("確認済")
    RETURNED = "returned", _("差戻し")


class QuestionnaireEvent(models.TextChoices):
    START = "start", _("回答の開始")
    SUBMIT = "submit", _("提出")
    CONFIRM = "confirm", _("確認")
    RETURN = "return", _("差戻し")
    REOPEN = "reopen", _("再開")


class AnswerChoice(models.TextChoices):
    """The answers of an item (IPA 自社診断 practice; the score is kitei's, labelled so)."""

    DONE = "done", _("実施している")
    PARTIAL = "partial", _("一部実施")
    NOT_DONE = "not_done", _("実施していない")
    NOT_APPLICABLE = "not_applicable", _("該当なし")
    UNKNOWN = "unknown", _("不明")


# Answers that need an improvement action (10-2(2)ア: 自己の権限の範囲内で改善を図る).
NEEDS_IMPROVEMENT = frozenset({AnswerChoice.PARTIAL.value, AnswerChoice.NOT_DONE.value})


@audit.actions
class InspectionAuditAction(models.TextChoices):
    """What self-inspection writes to the audit trail (values are stored; never change one)."""

    START_CAMPAIGN = "start_inspection_campaign", _("自己点検の開始")
    GENERATE_QUESTIONNAIRE = "generate_questionnaire", _("点検票の作成")
    ANSWER_ITEM = "answer_inspection_item", _("点検項目への回答")
    DELEGATE_ITEM = "delegate_inspection_item", _("点検項目の回答の委任")
    START_QUESTIONNAIRE = "start_questionnaire", _("点検票の回答の開始")
    SUBMIT_QUESTIONNAIRE = "submit_questionnaire", _("点検票の提出")
    CONFIRM_QUESTIONNAIRE = "confirm_questionnaire", _("点検票の確認")
    RETURN_QUESTIONNAIRE = "return_questionnaire", _("点検票の差戻し")
    REOPEN_QUESTIONNAIRE = "reopen_questionnaire", _("点検票の再開")
    TALLY_CAMPAIGN = "tally_inspection_campaign", _("自己点検の集計の開始")
    CLOSE_CAMPAIGN = "close_inspection_campaign", _("自己点検の完了")
    IMPORT_ANSWERS = "import_inspection_answers", _("点検票の回答の取込み")
