"""Choices of the duties app: occurrence states, setting sources and its audit actions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.core import audit


class OccurrenceState(models.TextChoices):
    """Where an occurrence of a duty stands (computed at view time, never stored as such)."""

    UPCOMING = "upcoming", _("期間前")
    OPEN = "open", _("実施期間中")
    OVERDUE = "overdue", _("期限超過")
    DONE = "done", _("完了")
    INTERVAL_UNSET = "interval_unset", _("間隔未設定")
    STANDING = "standing", _("常時の義務")
    LOG = "log", _("随時（記録）")


class SettingSource(models.TextChoices):
    """Where a value comes from: the seed, the organisation's 実施手順, or nowhere yet."""

    SEED = "seed", _("ポリシー（シード）")
    ORGANIZATION = "organization", _("組織の実施手順")
    UNSET = "unset", _("未設定")


@audit.actions
class DutyAuditAction(models.TextChoices):
    """What the duties app writes to the audit trail (values are stored; never change one)."""

    SET_ORG_SETTING = "set_org_setting", _("実施手順の値の設定")
    COMPLETE_OCCURRENCE = "complete_occurrence", _("年度の義務の完了の記録")
    RECORD_TRAINING = "record_training", _("研修・訓練の記録")
    RECORD_ATTENDANCE = "record_attendance", _("研修・訓練の出席の記録")
    SEND_DUTY_DIGEST = "send_duty_digest", _("年度の義務のお知らせの送信")
