"""Organisation settings (実施手順の値), acted-on duty occurrences and training records.

All four tables are append-only: a setting is changed by a new row (the latest row of a key
is its value; an empty value unsets it), an occurrence is written once when someone
completes it by hand, a training session and an attendance once when recorded. The models
refuse `save()` of an existing row and `delete()`; on PostgreSQL a trigger refuses UPDATE
and DELETE too (migration 0001).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.core.models import Organization
from kitei.people.models import Person


class _AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: a written row is never saved again."""
        if not self._state.adding:
            raise RuntimeError(f"{self._meta.label} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused: append-only rows are never deleted."""
        raise RuntimeError(f"{self._meta.label} rows are append-only")


class OrgSetting(_AppendOnly):
    """One decision of the organisation on a value the seed leaves open, with its basis.

    `key` names what is set: `duty:<id>:interval` (an ISO 8601 period), `duty:<id>:lead`
    (the reminder lead time), `parameter:<id>` (a pack parameter the seed leaves
    unspecified) or `parameter:<id>:tolerance` (the tolerance of a 程度 value).
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    key = models.CharField(_("設定項目"), max_length=120)
    value = models.CharField(_("値"), max_length=200, blank=True)  # "" = unset again
    basis = models.CharField(_("根拠"), max_length=300)
    decided_by = models.CharField(_("決定者"), max_length=150)
    decided_on = models.DateField(_("決定日"))
    recorded_by = models.CharField(_("登録者"), max_length=150)
    recorded_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("実施手順の値")
        verbose_name_plural = _("実施手順の値")
        ordering = ["organization_id", "key", "-decided_on", "-pk"]
        indexes = [models.Index(fields=["organization", "key", "decided_on"])]

    def __str__(self) -> str:
        return f"{self.key} = {self.value or '（未設定）'}"


class DutyOccurrence(_AppendOnly):
    """An occurrence someone acted on: completed by hand with evidence, or a 随時 log entry.

    Keyed by (organisation, duty, scope, period start); the clause, quote and pack digest
    are those of the pack version it was recorded under.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    duty = models.CharField(_("義務"), max_length=64)
    fiscal_year = models.PositiveIntegerField(_("年度"))
    scope_kind = models.CharField(_("対象の種類"), max_length=16)
    scope_id = models.PositiveBigIntegerField(_("対象"), null=True, blank=True)
    period_start = models.DateField(_("期間の開始"), null=True, blank=True)
    period_end = models.DateField(_("期間の終了"), null=True, blank=True)
    completed_on = models.DateField(_("実施日"))
    completed_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("完了の記録者")
    )
    note = models.TextField(_("実施内容"))
    clause = models.CharField(_("根拠条項"), max_length=64)
    quote = models.CharField(_("引用"), max_length=200)
    pack_version = models.CharField(_("パックの版"), max_length=32)
    pack_digest = models.CharField(_("パックのダイジェスト"), max_length=80)
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("年度の義務の実施")
        verbose_name_plural = _("年度の義務の実施")
        ordering = ["organization_id", "fiscal_year", "duty", "period_start", "pk"]
        indexes = [models.Index(fields=["organization", "fiscal_year", "duty"])]

    def __str__(self) -> str:
        return f"{self.duty} {self.period_start or self.completed_on}"


class TrainingSession(_AppendOnly):
    """A 研修 or 訓練 held on a day, citing the clause of the duty it satisfies."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    title = models.CharField(_("研修・訓練の名称"), max_length=200)
    held_on = models.DateField(_("実施日"))
    duty = models.CharField(_("義務"), max_length=64)
    clause = models.CharField(_("根拠条項"), max_length=64)
    quote = models.CharField(_("引用"), max_length=200)
    pack_version = models.CharField(_("パックの版"), max_length=32)
    pack_digest = models.CharField(_("パックのダイジェスト"), max_length=80)
    recorded_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_by_name = models.CharField(_("記録者"), max_length=150)
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("研修・訓練")
        verbose_name_plural = _("研修・訓練")
        ordering = ["organization_id", "-held_on", "pk"]
        indexes = [models.Index(fields=["organization", "held_on"])]

    def __str__(self) -> str:
        return self.title


class Attendance(_AppendOnly):
    """A person attended a training session (one row per person and session)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    session = models.ForeignKey(
        TrainingSession, on_delete=models.PROTECT, related_name="attendances"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    recorded_by_name = models.CharField(_("記録者"), max_length=150)
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("研修・訓練の出席")
        verbose_name_plural = _("研修・訓練の出席")
        ordering = ["session_id", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session} {self.person}"


__all__ = ["Attendance", "DutyOccurrence", "OrgSetting", "TrainingSession"]
