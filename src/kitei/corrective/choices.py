"""Choices of the corrective actions (是正・改善措置): states, events and audit actions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.core import audit


class ActionState(models.TextChoices):
    """Where a corrective action stands (起票 → 対応中 → 完了報告 → 確認済, or 差戻し)."""

    RAISED = "raised", _("起票")
    IN_PROGRESS = "in_progress", _("対応中")
    REPORTED = "reported", _("完了報告")
    VERIFIED = "verified", _("確認済")
    RETURNED = "returned", _("差戻し")


class ActionEvent(models.TextChoices):
    """What moves a corrective action."""

    START = "start", _("対応の開始")
    REPORT_DONE = "report_done", _("完了報告")
    VERIFY = "verify", _("確認")
    RETURN = "return", _("差戻し")


@audit.actions
class CorrectiveAuditAction(models.TextChoices):
    """What the corrective actions write to the audit trail (values are stored; never change)."""

    RAISE_ACTION = "raise_corrective_action", _("是正措置の起票")
    START_ACTION = "start_corrective_action", _("是正措置の対応の開始")
    RECORD_PROGRESS = "record_corrective_progress", _("是正措置の進捗の記録")
    REPORT_ACTION_DONE = "report_corrective_action_done", _("是正措置の完了報告")
    VERIFY_ACTION = "verify_corrective_action", _("是正措置の確認")
    RETURN_ACTION = "return_corrective_action", _("是正措置の差戻し")
