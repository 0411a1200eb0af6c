"""Audit programmes, audits, auditor appointments, working papers and findings.

An Audit cites the pack version (digest) it is planned under and the clauses (or the
imported checklist items) it audits against. Appointments keep the independence verdict
they were made with. Working papers are append-only; once the report is issued the audit
is sealed (its manifest's SHA-256 in the audit chain) and later material is an addendum.
The services in `kitei.audits.services` and `kitei.audits.findings` are the only writers.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitei.audits.choices import (
    AuditKind,
    AuditState,
    FindingKind,
    FindingState,
    HorizontalAnswer,
)
from kitei.core.models import Organization
from kitei.people.models import Department, Person
from kitei.systems.models import System


class AuditProgramme(models.Model):
    """The audit programme (監査計画) of one fiscal year."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    fiscal_year = models.PositiveIntegerField(_("年度"))
    note = models.TextField(_("計画の説明"), blank=True)
    created_by_name = models.CharField(_("作成者"), max_length=150)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)

    class Meta:
        verbose_name = _("監査計画")
        verbose_name_plural = _("監査計画")
        ordering = ["organization_id", "-fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fiscal_year"], name="audit_programme_per_year"
            ),
        ]

    def __str__(self) -> str:
        from kitei.core.fiscal import fiscal_year_label  # noqa: PLC0415 - small helper

        return f"{fiscal_year_label(self.fiscal_year)} 監査計画"


class Audit(models.Model):
    """One audit of the programme: kind, scope, criteria, schedule, method, state, seal."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    programme = models.ForeignKey(AuditProgramme, on_delete=models.PROTECT, related_name="audits")
    number = models.CharField(_("監査番号"), max_length=16)
    title = models.CharField(_("監査名"), max_length=200)
    kind = models.CharField(_("種類"), max_length=16, choices=AuditKind.choices)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("対象の課")
    )
    systems = models.ManyToManyField(
        System, blank=True, related_name="+", verbose_name=_("対象の情報システム")
    )
    contracts = models.JSONField(_("対象の契約"), default=list, blank=True)  # names, as given
    auditees = models.ManyToManyField(
        Person, blank=True, related_name="+", verbose_name=_("監査を受ける者")
    )
    pack_digest = models.CharField(_("ポリシーパックの版"), max_length=80)
    # Criteria: [{"clause": …, "quote": …}] from the pack, or an imported checklist's
    # [{"id": …, "text": …}]; kept as chosen.
    criteria = models.JSONField(_("監査基準"), default=list, blank=True)
    methods = models.JSONField(_("監査の方法"), default=list, blank=True)
    starts_on = models.DateField(_("開始予定日"), null=True, blank=True)
    ends_on = models.DateField(_("終了予定日"), null=True, blank=True)
    state = models.CharField(
        _("状態"), max_length=16, choices=AuditState.choices, default=AuditState.PLANNED
    )
    report_text = models.TextField(_("監査報告書"), blank=True)
    report_sha256 = models.CharField(_("監査報告書の SHA-256"), max_length=64, blank=True)
    manifest = models.TextField(_("封印の目録"), blank=True)  # canonical JSON, set on issue
    manifest_sha256 = models.CharField(_("目録の SHA-256"), max_length=64, blank=True)
    sealed_at = models.DateTimeField(_("封印日時"), null=True, blank=True)
    seal_seq = models.PositiveBigIntegerField(_("監査証跡の番号"), null=True, blank=True)
    created_by_name = models.CharField(_("作成者"), max_length=150)
    created_at = models.DateTimeField(_("作成日時"), default=timezone.now)

    class Meta:
        verbose_name = _("監査")
        verbose_name_plural = _("監査")
        ordering = ["organization_id", "-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="audit_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def sealed(self) -> bool:
        """Whether the report is issued: nothing of the audit changes afterwards."""
        return self.sealed_at is not None


class Appointment(models.Model):
    """An auditor appointed to an audit, with the independence verdict it was made under."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="appointments")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("監査人")
    )
    is_lead = models.BooleanField(_("監査責任者"), default=False)
    verdict = models.JSONField(_("独立性の判定"), default=dict)
    override_reason = models.TextField(_("止むを得ない理由"), blank=True)
    competence = models.TextField(_("専門知識の確認"), blank=True)  # 10-1(2)イ attestation
    appointed_by_name = models.CharField(_("指名者"), max_length=150)
    appointed_at = models.DateTimeField(_("指名日時"), default=timezone.now)

    class Meta:
        verbose_name = _("監査人の指名")
        verbose_name_plural = _("監査人の指名")
        ordering = ["audit_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "person"], name="auditor_once_per_audit"),
        ]

    def __str__(self) -> str:
        return f"{self.audit_id} {self.person}"


class WorkingPaper(models.Model):
    """A 監査調書 entry for one criterion (or an addendum after the seal); append-only."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="papers")
    item = models.CharField(_("監査項目"), max_length=200, blank=True)
    text = models.TextField(_("監査調書"))
    addendum = models.BooleanField(_("封印後の追補"), default=False)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    recorded_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("記録者")
    )
    recorded_at = models.DateTimeField(_("記録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("監査調書")
        verbose_name_plural = _("監査調書")
        ordering = ["audit_id", "recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.audit_id} {self.item}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: a working paper is corrected by a new one, never edited."""
        if not self._state.adding:
            raise RuntimeError("working papers are append-only; record a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused: working papers are kept (002 10-1(5))."""
        raise RuntimeError("working papers are append-only; they are never deleted")


class Finding(models.Model):
    """A finding of an audit, sent to the 管理者 owning the audited 課, followed to closure."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="findings")
    number = models.CharField(_("指摘番号"), max_length=16)
    kind = models.CharField(_("区分"), max_length=16, choices=FindingKind.choices)
    title = models.CharField(_("件名"), max_length=200)
    description = models.TextField(_("内容"), blank=True)
    clause = models.CharField(_("根拠条項"), max_length=64, blank=True)
    quote = models.TextField(_("根拠の引用"), blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("対象の課")
    )
    owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("所管する管理者")
    )
    owner_role = models.CharField(_("所管の役割"), max_length=64, blank=True)
    due_on = models.DateField(_("期限"), null=True, blank=True)
    root_cause = models.TextField(_("原因"), blank=True)
    plan = models.TextField(_("改善計画"), blank=True)
    state = models.CharField(
        _("状態"), max_length=16, choices=FindingState.choices, default=FindingState.OPEN
    )
    resolution = models.TextField(_("クローズ・受容・取下げの理由"), blank=True)
    raised_by_name = models.CharField(_("起票者"), max_length=150)
    raised_at = models.DateTimeField(_("起票日時"), default=timezone.now)
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    # A finding that a horizontal check answered 有 (10-1(6)イ) names the finding it came from.
    origin = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="horizontal_findings",
        verbose_name=_("横展開の元の指摘事項"),
    )

    class Meta:
        verbose_name = _("指摘事項")
        verbose_name_plural = _("指摘事項")
        ordering = ["organization_id", "audit_id", "pk"]
        indexes = [models.Index(fields=["organization", "state"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="finding_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class HorizontalCheck(models.Model):
    """One 課 asked whether the same problem exists there (002 10-1(6)イ), and its answer."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="horizontal")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("確認する課")
    )
    owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("回答する管理者")
    )
    answer = models.CharField(
        _("回答"), max_length=16, choices=HorizontalAnswer.choices, default=HorizontalAnswer.ASKED
    )
    note = models.TextField(_("確認の内容"), blank=True)
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    linked = models.ForeignKey(
        Finding,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("起票された指摘事項"),
    )
    asked_by_name = models.CharField(_("指示者"), max_length=150)
    asked_at = models.DateTimeField(_("指示日時"), default=timezone.now)

    class Meta:
        verbose_name = _("横展開の確認")
        verbose_name_plural = _("横展開の確認")
        ordering = ["finding_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["finding", "department"], name="horizontal_once_per_department"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.finding_id} {self.department_id}"
