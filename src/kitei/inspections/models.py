"""Self-inspection: a campaign per fiscal year, its items, questionnaires and answers.

A campaign is pinned to the pack version (digest) it was started under: its items copy the
controls' clause, quote, question and evidence hints, so a later pack upgrade never changes
an open campaign. Each questionnaire covers one scope (the organisation, a 課, a system, a
person); it holds one answer row per item of that scope, created in bulk.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.core.models import Organization
from kitei.inspections.choices import (
    AnswerChoice,
    CampaignState,
    QuestionnaireState,
    Scope,
)
from kitei.people.models import Department, Person
from kitei.systems.models import System


class Campaign(models.Model):
    """One fiscal year's self-inspection, started from a periodic duty of the pack."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    fiscal_year = models.PositiveIntegerField(_("年度"))
    duty_id = models.CharField(_("根拠の義務"), max_length=64)
    duty_title = models.CharField(_("点検の名称"), max_length=200)
    clause = models.CharField(_("根拠条項"), max_length=64)
    quote = models.CharField(_("引用"), max_length=200)
    source = models.CharField(_("原文ファイル"), max_length=100)
    pack_id = models.CharField(max_length=64)
    pack_version = models.CharField(max_length=32)
    pack_digest = models.CharField(max_length=80)
    scopes = models.JSONField(_("対象"), default=list)
    manifest = models.CharField(max_length=80)  # sha256 of the items as generated
    state = models.CharField(
        _("状態"), max_length=16, choices=CampaignState.choices, default=CampaignState.RUNNING
    )
    started_by = models.CharField(_("開始者"), max_length=150)
    started_at = models.DateTimeField(_("開始日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("自己点検")
        verbose_name_plural = _("自己点検")
        ordering = ["organization_id", "-fiscal_year", "duty_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fiscal_year", "duty_id"], name="one_campaign_per_duty_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.duty_title}"


class Item(models.Model):
    """One inspection item of a campaign: a pack control as it read when the campaign began."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveIntegerField()
    control_id = models.CharField(_("点検項目"), max_length=64)
    clause = models.CharField(_("根拠条項"), max_length=64)
    quote = models.CharField(_("引用"), max_length=200)
    source = models.CharField(_("原文ファイル"), max_length=100)
    scope = models.CharField(_("対象"), max_length=16, choices=Scope.choices)
    kind = models.CharField(_("種類"), max_length=16)
    question = models.TextField(_("質問"))
    actors = models.JSONField(_("実施者"), default=list)  # [{"id", "title"}]
    evidence = models.JSONField(_("証跡の手掛かり"), default=list)  # ["book:…", …]

    class Meta:
        verbose_name = _("点検項目")
        verbose_name_plural = _("点検項目")
        ordering = ["campaign_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "control_id"], name="item_once_per_campaign"
            )
        ]

    def __str__(self) -> str:
        return f"{self.clause} {self.control_id}"


class Questionnaire(models.Model):
    """One scope's questionnaire (点検票): to the role holder, reviewed by the reviewer."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="questionnaires")
    scope = models.CharField(_("対象"), max_length=16, choices=Scope.choices, db_index=True)
    title = models.CharField(_("点検票"), max_length=200)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("課")
    )
    system = models.ForeignKey(
        System, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("情報システム")
    )
    subject = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("回答する職員"),
    )
    assignee_role = models.CharField(_("回答する役割"), max_length=64, blank=True)
    assignee = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_questionnaires",
        verbose_name=_("回答者"),
    )
    reviewer_role = models.CharField(_("確認する役割"), max_length=64, blank=True)
    reviewer = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("確認者"),
    )
    state = models.CharField(
        _("状態"),
        max_length=16,
        choices=QuestionnaireState.choices,
        default=QuestionnaireState.NOT_STARTED,
        db_index=True,
    )
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    return_reason = models.TextField(_("差戻しの理由"), blank=True)

    class Meta:
        verbose_name = _("点検票")
        verbose_name_plural = _("点検票")
        ordering = ["campaign_id", "scope", "title", "pk"]
        indexes = [models.Index(fields=["organization", "assignee", "state"])]

    def __str__(self) -> str:
        return self.title


class Answer(models.Model):
    """The answer to one item of one questionnaire; blank until answered."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="answers"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    choice = models.CharField(_("回答"), max_length=16, choices=AnswerChoice.choices, blank=True)
    reason = models.TextField(_("該当なしの理由"), blank=True)
    # The improvement action (10-2(2)ア) of 一部実施 / 実施していない, as answered; the
    # corrective action raised from it (kitei.corrective) follows it to closure.
    plan = models.TextField(_("改善の内容"), blank=True)
    owner = models.CharField(_("改善の担当者"), max_length=100, blank=True)
    due_on = models.DateField(_("改善の期限"), null=True, blank=True)
    comment = models.TextField(_("備考"), blank=True)
    delegated_to = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("回答を委任された職員"),
    )
    answered_by = models.CharField(_("回答者"), max_length=150, blank=True)
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("点検項目への回答")
        verbose_name_plural = _("点検項目への回答")
        ordering = ["questionnaire_id", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "item"], name="one_answer_per_item")
        ]
        # The roll-up's GROUP BYs read these indexes only (per questionnaire, per item).
        indexes = [
            models.Index(fields=["questionnaire", "choice"], name="answer_by_questionnaire"),
            models.Index(fields=["item", "choice"], name="answer_by_item"),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}:{self.item_id}"
