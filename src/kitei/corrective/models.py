"""Corrective actions (是正・改善措置) and their append-only progress entries.

A CorrectiveAction names what raised it (an incident, a violation, an inspection answer, a
finding, a drill …) by content type and id, so this app imports none of the apps above it;
`source_label` keeps the source's name as it was when the action was raised. Every action
cites the clause and quote of the pack version (digest) it was raised under. The services
in `kitei.corrective.services` are the only writers.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitei.core.models import Organization
from kitei.corrective.choices import ActionState
from kitei.people.models import Department, Person


class CorrectiveAction(models.Model):
    """One 是正・改善措置: what is to be done, by whom, by when, and who checks it."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    number = models.CharField(_("措置番号"), max_length=16)  # R8-0001 (kitei.core.numbering)
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField(_("起票元"), max_length=200, blank=True)
    title = models.CharField(_("件名"), max_length=200)
    plan = models.TextField(_("措置の内容（計画）"), blank=True)
    clause = models.CharField(_("根拠条項"), max_length=64, blank=True)
    quote = models.TextField(_("根拠の引用"), blank=True)
    pack_digest = models.CharField(_("ポリシーパックの版"), max_length=80)
    owner_role = models.CharField(_("担当の役割"), max_length=64, blank=True)
    owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("担当者")
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("担当課"),
    )
    due_on = models.DateField(_("期限"), null=True, blank=True, db_index=True)
    state = models.CharField(
        _("状態"), max_length=16, choices=ActionState.choices, default=ActionState.RAISED
    )
    # Who may verify besides holders of corrective.verify (e.g. the audit's auditors).
    verifiers = models.ManyToManyField(
        Person, blank=True, related_name="+", verbose_name=_("確認を行える者")
    )
    verified_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("確認者"),
    )
    effectiveness = models.TextField(_("有効性の確認"), blank=True)
    raised_by_name = models.CharField(_("起票者"), max_length=150)
    raised_at = models.DateTimeField(_("起票日時"), default=timezone.now)
    reported_at = models.DateTimeField(_("完了報告日時"), null=True, blank=True)
    verified_at = models.DateTimeField(_("確認日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("是正措置")
        verbose_name_plural = _("是正措置")
        ordering = ["organization_id", "due_on", "pk"]
        indexes = [
            models.Index(fields=["organization", "state", "due_on"]),
            models.Index(fields=["source_type", "source_id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="corrective_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        """Whether the action still waits for work or verification."""
        return self.state != ActionState.VERIFIED

    def is_overdue(self, today: Any = None) -> bool:
        """Open and past its due date."""
        today = today or timezone.localdate()
        return self.is_open and self.due_on is not None and self.due_on < today


class ProgressEntry(models.Model):
    """One progress report on a corrective action; append-only (no update, no delete)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    action = models.ForeignKey(CorrectiveAction, on_delete=models.PROTECT, related_name="progress")
    note = models.TextField(_("進捗の内容"))
    recorded_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("記録者")
    )
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("是正措置の進捗")
        verbose_name_plural = _("是正措置の進捗")
        ordering = ["action_id", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action_id} {self.recorded_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: a progress report is never changed."""
        if not self._state.adding:
            raise RuntimeError("progress entries are append-only; record a new one instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused: a progress report is never deleted."""
        raise RuntimeError("progress entries are append-only; they are never deleted")
