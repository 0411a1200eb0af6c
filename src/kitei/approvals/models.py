"""Requests (申請), the approval steps the pack's decision requires, and each approval given."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.assets.models import Asset
from kitei.core.models import Organization
from kitei.people.models import Department, Person
from kitei.systems.models import System


class RequestState(models.TextChoices):
    """Where a request stands; moves only along TRANSITIONS."""

    PENDING = "pending", _("承認待ち")
    GAP = "gap", _("規程に定めなし（情報政策担当が確認）")
    APPROVED = "approved", _("承認済み")
    PERMITTED = "permitted", _("許可（承認不要）")
    REJECTED = "rejected", _("却下")
    WITHDRAWN = "withdrawn", _("取下げ")
    COMPLETED = "completed", _("完了")


# The one transition table (DESIGN.md 4): services refuse any move not listed here.
TRANSITIONS: dict[str, frozenset[str]] = {
    RequestState.PENDING: frozenset(
        {RequestState.APPROVED, RequestState.REJECTED, RequestState.WITHDRAWN}
    ),
    RequestState.GAP: frozenset(
        {RequestState.APPROVED, RequestState.REJECTED, RequestState.WITHDRAWN}
    ),
    RequestState.APPROVED: frozenset({RequestState.COMPLETED}),
    RequestState.PERMITTED: frozenset({RequestState.COMPLETED}),
    RequestState.REJECTED: frozenset(),
    RequestState.WITHDRAWN: frozenset(),
    RequestState.COMPLETED: frozenset(),
}


class Request(models.Model):
    """A person asks to do a regulated action; the pack's decision is stored with it.

    `decision` is the engine's full JSON answer and `pack_digest` the exact pack version
    it came from, so an auditor can replay it (issue 5, decision log).
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    asset = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("情報資産")
    )
    system = models.ForeignKey(
        System, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("情報システム")
    )
    # The 課 whose department-scoped roles decide (the asset's, else the system's, else the
    # applicant's); fixed when filed so a later move of the asset does not reroute it.
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("担当部署"),
    )
    applicant = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="requests", verbose_name=_("申請者")
    )
    reason = models.TextField(_("申請理由"))
    context = models.JSONField(_("状況"), default=dict)  # emergency, external, minor …
    confirmed_obligations = models.JSONField(_("確認した遵守事項"), default=list)
    effect = models.CharField(_("判断"), max_length=32)
    decision = models.JSONField(_("判断の記録"))
    request_data = models.JSONField(_("判断に用いた申請"))  # the engine's input, for replay
    pack_digest = models.CharField(max_length=80)
    state = models.CharField(_("状態"), max_length=16, choices=RequestState.choices, db_index=True)
    overridden = models.BooleanField(_("職務分離の例外"), default=False)  # 002 2(6)
    created_at = models.DateTimeField(_("申請日時"), auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(_("決定日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("申請")
        verbose_name_plural = _("申請")
        ordering = ["organization_id", "-created_at"]

    def __str__(self) -> str:
        return f"{self.action} #{self.pk}"


class ApprovalStep(models.Model):
    """One step of the route: `all_of` or `any_of` the roles, in the order the decision gave."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    mode = models.CharField(max_length=8)  # all_of | any_of
    roles = models.JSONField()  # [{"id": …, "title": …}]
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="step_position"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}/{self.position}"


class Verdict(models.TextChoices):
    """An approver's answer."""

    APPROVE = "approve", _("承認")
    REJECT = "reject", _("却下")


class Approval(models.Model):
    """An approver's verdict on a step, for a role, possibly as a deputy (代行)."""

    step = models.ForeignKey(ApprovalStep, on_delete=models.CASCADE, related_name="approvals")
    role_id = models.CharField(max_length=64)
    approver = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    acting_for = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    comment = models.TextField(blank=True)
    override_reason = models.TextField(blank=True)  # 止むを得ない場合 (002 2(6)ア)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["step_id", "at"]
        constraints = [
            models.UniqueConstraint(fields=["step", "role_id"], name="one_verdict_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.step} {self.role_id} {self.verdict}"
