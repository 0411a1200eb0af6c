"""Requests (申請), the approval steps the pack's decision requires, and each approval given."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.approvals.choices import RequestState, StepMode, Verdict
from kitei.approvals.takeout import check_dates
from kitei.assets.models import Asset
from kitei.core.models import Organization
from kitei.people.models import Department, Person
from kitei.policy import Decision
from kitei.systems.models import System


class Request(models.Model):
    """A person asks to do a regulated action; the pack's decision is stored with it.

    `decision` is the engine's full JSON answer and `pack_digest` the exact pack version
    it came from, so an auditor can replay it (issue 5, decision log).
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    # 申請番号 per organisation and fiscal year (R8-0001, kitei.core.numbering); URLs use pk.
    number = models.CharField(_("申請番号"), max_length=16)
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
    # What a take-out is (asset.take_out, approvals.takeout): where, why, from when, until
    # when — shown to the approvers and carried into the 持出記録. Blank for other actions.
    destination = models.CharField(_("持出先"), max_length=200, blank=True)
    purpose = models.TextField(_("目的"), blank=True)
    planned_take_out_at = models.DateTimeField(_("持出予定日時"), null=True, blank=True)
    planned_return_on = models.DateField(_("返却予定日"), null=True, blank=True)
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
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="request_number"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.number}"

    def clean(self) -> None:
        """A return planned before the take-out is refused (row invariant)."""
        check_dates(self.planned_take_out_at, self.planned_return_on)

    @property
    def stored_decision(self) -> Decision:
        """The stored decision, read back as the typed value the engine gave (the one reader)."""
        cached: Decision | None = self.__dict__.get("_stored_decision")
        if cached is None or self.__dict__.get("_stored_from") is not self.decision:
            cached = Decision.from_json(self.decision)
            self.__dict__["_stored_decision"], self.__dict__["_stored_from"] = cached, self.decision
        return cached


class ApprovalStep(models.Model):
    """One step of the route: `all_of` or `any_of` the roles, in the order the decision gave."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    mode = models.CharField(max_length=8)  # a StepMode (kitei.policy.ApprovalMode)
    roles = models.JSONField()  # [{"id": …, "title": …}]
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="step_position"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}/{self.position}"

    @property
    def mode_label(self) -> str:
        """The step's mode in words (全員の承認, いずれか1名の承認)."""
        return str(StepMode(self.mode).label) if self.mode in StepMode.values else self.mode


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
