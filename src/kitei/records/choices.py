"""Choices of the records app: the audit actions its services record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.core import audit


@audit.actions
class RecordAuditAction(models.TextChoices):
    """What the record books write to the audit trail (values are stored; never change one)."""

    RECORD_ENTRY = "record_entry", _("記録簿への記録")
    OPEN_EMERGENCY_REPORT = "open_emergency_report", _("緊急時の例外措置の記録（事後報告待ち）")
    RECORD_RETURN = "record_return", _("返却の記録")
    COMPLETE_DISPOSAL = "complete_disposal", _("廃棄の処理の記録")
    CONFIRM_WORK = "confirm_work", _("作業の確認")
    RECORD_VISIT = "record_visit", _("来訪者の記録")
    RECORD_LEAVING = "record_leaving", _("来訪者の退室の記録")
    REPORT_EXCEPTION_AFTERWARDS = "report_exception_afterwards", _("例外措置の事後報告")
    REVIEW_EXCEPTION = "review_exception", _("例外措置の状況の確認")
    REMIND_RETURN = "remind_return", _("返却期限の通知")
