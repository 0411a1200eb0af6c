"""The information system register (情報システム台帳, 002 3(2)ア(イ)) and its software."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.core.models import Organization
from kitei.people.models import Department, Person


class System(models.Model):
    """An information system: owner, 情報システム管理者 and 担当者, network zone, requirements."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    name = models.CharField(_("システム名"), max_length=200)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, verbose_name=_("所管部署"))
    manager = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("情報システム管理者"),
    )
    operator = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("情報システム担当者"),
    )
    zone = models.CharField(_("ネットワーク"), max_length=64, blank=True)  # a pack zone id
    is_external_service = models.BooleanField(_("外部サービス（クラウド）"), default=False)
    availability = models.CharField(_("必要な可用性"), max_length=16, blank=True)  # level id
    security_requirements = models.TextField(_("セキュリティ要件"), blank=True)
    planned_until = models.DateField(_("利用予定期間の終了"), null=True, blank=True)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("情報システム")
        verbose_name_plural = _("情報システム")
        ordering = ["organization_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="system_name"),
        ]
        # Who manages or operates a system (the home page, the routes of approvals). Most
        # systems name nobody here or the same few people: the plain foreign-key indexes hold
        # every NULL, statistics make them look useless and the planner reads the whole
        # table (issue 16); these hold only the systems that name someone.
        indexes = [
            models.Index(
                fields=["manager", "organization"],
                condition=models.Q(manager__isnull=False),
                name="system_manager",
            ),
            models.Index(
                fields=["operator", "organization"],
                condition=models.Q(operator__isnull=False),
                name="system_operator",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Software(models.Model):
    """Software a system runs; support must not end before use does (002 7-4(1)キ)."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="software")
    name = models.CharField(_("ソフトウェア名"), max_length=200)
    version = models.CharField(_("バージョン"), max_length=64, blank=True)
    end_of_support = models.DateField(_("サポート終了日"), null=True, blank=True)

    class Meta:
        verbose_name = _("ソフトウェア")
        verbose_name_plural = _("ソフトウェア")
        ordering = ["system_id", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()

    def support_status(self, today: date) -> str:
        """`ended`, `ends_during_use` (before the system's planned end), `ok` or `unknown`."""
        if self.end_of_support is None:
            return "unknown"
        if self.end_of_support < today:
            return "ended"
        planned = self.system.planned_until
        if planned is not None and self.end_of_support < planned:
            return "ends_during_use"
        return "ok"
