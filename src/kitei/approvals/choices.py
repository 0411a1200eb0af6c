"""Choices of the approvals app: request states and events, verdicts, the pack's effects and
approval modes as pages name them, and the audit actions the approval services record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.core import audit
from kitei.policy import ApprovalMode, Effect


class RequestState(models.TextChoices):
    """Where a request stands; moves only along `approvals.workflow.REQUEST_WORKFLOW`."""

    PENDING = "pending", _("承認待ち")
    GAP = "gap", _("規程に定めなし（情報政策担当が確認）")
    APPROVED = "approved", _("承認済み")
    PERMITTED = "permitted", _("許可（承認不要）")
    REJECTED = "rejected", _("却下")
    WITHDRAWN = "withdrawn", _("取下げ")
    COMPLETED = "completed", _("完了")


class RequestEvent(models.TextChoices):
    """What happens to a request; the transition table says from where and to what."""

    APPROVE_STEP = "approve_step", _("段階の承認")  # a step approved, later steps remain
    APPROVE = "approve", _("承認")  # the last step approved
    REJECT = "reject", _("却下")
    WITHDRAW = "withdraw", _("取下げ")
    COMPLETE = "complete", _("完了")


class Verdict(models.TextChoices):
    """An approver's answer."""

    APPROVE = "approve", _("承認")
    REJECT = "reject", _("却下")


class DecisionEffect(models.TextChoices):
    """The pack's effect (`kitei.policy.Effect`) with its translatable label, for pages."""

    FORBID = Effect.FORBID.value, _("禁止")
    APPROVAL_REQUIRED = Effect.APPROVAL_REQUIRED.value, _("承認が必要")
    PERMIT = Effect.PERMIT.value, _("許可")
    UNDETERMINED = Effect.UNDETERMINED.value, _("判断できません（規程に定めがありません）")


class StepMode(models.TextChoices):
    """How a step is decided (`kitei.policy.ApprovalMode`) with its label, for pages."""

    ALL_OF = ApprovalMode.ALL_OF.value, _("全員の承認")
    ANY_OF = ApprovalMode.ANY_OF.value, _("いずれか1名の承認")


@audit.actions
class RequestAuditAction(models.TextChoices):
    """What the approval services write to the audit trail (values are stored; never change)."""

    FILE_REQUEST = "file_request", _("申請の提出")
    APPROVE_REQUEST = "approve_request", _("承認")
    REJECT_REQUEST = "reject_request", _("却下")
    WITHDRAW_REQUEST = "withdraw_request", _("申請の取下げ")
    COMPLETE_REQUEST = "complete_request", _("申請の完了")
    REFUSED_APPROVAL = "refused_approval", _("承認・却下の拒否")
    OVERRIDE_SEPARATION = "override_separation", _("職務分離の例外（申請者本人の承認）")
    REMIND_APPROVAL = "remind_approval", _("承認待ちの再通知")
