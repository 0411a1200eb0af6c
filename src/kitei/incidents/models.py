"""Incidents (事故・障害), their materialised reporting steps and an append-only timeline.

An incident cites the pack version it was filed under (id, version, digest); each report
step copies the clause, quote and timing of the pack step it comes from, so a later pack
never rewrites what was sent. Timeline entries are append-only (a correction is a new
entry naming the one it corrects); the services in `kitei.incidents.services` are the only
writers of all three.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.assets.models import Asset
from kitei.core.models import Organization
from kitei.incidents.choices import EntryKind, IncidentState, Means, Source, StepState
from kitei.people.models import Person
from kitei.systems.models import System


class Incident(models.Model):
    """One reported incident, numbered per organisation and fiscal year (R8-0001)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    number = models.CharField(_("インシデント番号"), max_length=16)
    kind = models.CharField(_("種別"), max_length=64, blank=True)  # pack incident_kinds id
    kind_title = models.CharField(_("種別名"), max_length=200, blank=True)
    title = models.CharField(_("件名"), max_length=200)
    description = models.TextField(_("発生した事象"))
    occurred_at = models.DateTimeField(_("発生日時"), null=True, blank=True)
    detected_at = models.DateTimeField(_("認知日時"))
    reported_at = models.DateTimeField(_("報告日時"), db_index=True)
    source = models.CharField(
        _("認知の経緯"), max_length=16, choices=Source.choices, default=Source.INTERNAL
    )
    flags = models.JSONField(_("該当する事項"), default=list)
    severity = models.CharField(_("重大度"), max_length=64, blank=True)  # pack level id
    severity_reason = models.TextField(_("重大度の判断理由"), blank=True)
    restricted = models.BooleanField(_("要配慮（関係者のみ閲覧）"), default=False)
    reporter = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("報告者")
    )
    assets = models.ManyToManyField(Asset, blank=True, related_name="+", verbose_name=_("情報資産"))
    systems = models.ManyToManyField(
        System, blank=True, related_name="+", verbose_name=_("情報システム")
    )
    pack_id = models.CharField(_("ポリシーパック"), max_length=64)
    pack_version = models.CharField(_("パックの版"), max_length=32)
    pack_digest = models.CharField(_("パックのダイジェスト"), max_length=80)
    manual = models.BooleanField(_("手動で連絡"), default=False)  # the pack holds no chain
    state = models.CharField(
        _("状態"),
        max_length=32,
        choices=IncidentState.choices,
        default=IncidentState.REPORTED,
        db_index=True,
    )
    state_reason = models.TextField(_("判断の理由"), blank=True)
    prevention = models.TextField(_("再発防止策"), blank=True)
    instruction = models.TextField(_("CISOの指示"), blank=True)
    closed_at = models.DateTimeField(_("終結日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("インシデント")
        verbose_name_plural = _("インシデント")
        ordering = ["organization_id", "-reported_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "state", "reported_at"], name="incident_state"),
            models.Index(fields=["organization", "kind", "reported_at"], name="incident_kind"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="incident_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ReportStep(models.Model):
    """One report of the chain to one recipient (a role's holders, or an outside party)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="steps")
    order = models.PositiveIntegerField(_("順序"))
    chain = models.CharField(_("報告経路"), max_length=64)  # pack reporting id
    position = models.PositiveIntegerField()  # index of the step in the pack chain
    stage = models.CharField(max_length=16)  # filing / incident / prevention
    kind = models.CharField(_("手順の種類"), max_length=16)
    senders = models.JSONField(_("報告する者"), default=list)  # [{"id", "title"}]
    role = models.CharField(_("報告先の役割"), max_length=64, blank=True)
    party = models.CharField(_("報告先（外部）"), max_length=64, blank=True)
    to_title = models.CharField(_("報告先"), max_length=200)
    system = models.ForeignKey(
        System, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.ManyToManyField(
        Person, blank=True, related_name="incident_steps", verbose_name=_("受領者")
    )
    vacant = models.BooleanField(_("担当者なし"), default=False)
    timing = models.CharField(_("時期"), max_length=64)
    condition = models.TextField(_("条件"), blank=True)
    clause = models.CharField(_("根拠条項"), max_length=64)
    quote = models.CharField(_("引用"), max_length=200)
    seed = models.CharField(_("シード文書"), max_length=200)
    decision_required = models.BooleanField(_("判断が必要"), default=False)
    decision = models.CharField(_("判断"), max_length=16, blank=True)  # report / skip
    decision_reason = models.TextField(_("判断の理由"), blank=True)
    state = models.CharField(
        _("状態"), max_length=16, choices=StepState.choices, default=StepState.WAITING
    )
    opened_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送付日時"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("受領日時"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("受領した者"),
    )
    means = models.CharField(_("手段"), max_length=16, choices=Means.choices, blank=True)
    note = models.TextField(_("備考"), blank=True)

    class Meta:
        verbose_name = _("報告手順")
        verbose_name_plural = _("報告手順")
        ordering = ["incident_id", "order", "pk"]
        indexes = [models.Index(fields=["organization", "state"], name="report_step_state")]

    def __str__(self) -> str:
        return f"{self.clause} → {self.to_title}"


class TimelineEntry(models.Model):
    """One append-only entry of an incident's timeline; corrections are new entries."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="timeline")
    kind = models.CharField(_("種類"), max_length=16, choices=EntryKind.choices)
    text = models.TextField(_("内容"))
    event_at = models.DateTimeField(_("発生日時"))
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True)
    author = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("記録者")
    )
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("訂正する記録"),
    )

    class Meta:
        verbose_name = _("経過記録")
        verbose_name_plural = _("経過記録")
        ordering = ["incident_id", "event_at", "pk"]
        indexes = [models.Index(fields=["incident", "event_at"], name="timeline_event")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.event_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: a written entry is never saved again (append-only timeline)."""
        if not self._state.adding:
            raise RuntimeError("timeline entries are append-only; record a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused: nothing is ever deleted from a timeline."""
        raise RuntimeError("timeline entries are append-only; they are never deleted")
