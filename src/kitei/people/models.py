"""Departments, people, and role assignments (who holds 情報セキュリティ管理者 of which 課)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.core.models import Organization


class Department(models.Model):
    """A department (課) of an organisation; roles scoped to departments attach here."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    name = models.CharField(_("部署名"), max_length=100)

    class Meta:
        verbose_name = _("部署")
        verbose_name_plural = _("部署")
        ordering = ["organization_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="department_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    """A member of an organisation (職員, 議員 …), optionally with a login account."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="person",
    )
    name = models.CharField(_("氏名"), max_length=100)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("所属")
    )
    position = models.CharField(_("役職"), max_length=100, blank=True)
    email = models.EmailField(_("メールアドレス"), blank=True)
    is_org_admin = models.BooleanField(_("組織管理者"), default=False)
    must_change_password = models.BooleanField(_("初回パスワード変更が必要"), default=True)

    class Meta:
        verbose_name = _("職員")
        verbose_name_plural = _("職員")
        ordering = ["organization_id", "name"]

    def __str__(self) -> str:
        return self.name

    def mail_address(self) -> str:
        """Where kitei mails the person: the register's address, else the account's; "" if none."""
        if self.email:
            return self.email
        return str(getattr(self.user, "email", "") or "") if self.user is not None else ""


class RoleAssignment(models.Model):
    """A person holds one role of the organisation's pack, for a department or system.

    A deputy (代行) assignment names the holder it stands in for; every assignment may
    have a validity period.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assignments")
    role_id = models.CharField(_("役割"), max_length=64)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("対象部署")
    )
    # A string reference: people is a lower layer than the registers and never imports them.
    system = models.ForeignKey(
        "systems.System",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("対象システム"),
    )
    deputy_for = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deputies",
        verbose_name=_("代行する者"),
    )
    valid_from = models.DateField(_("開始日"), null=True, blank=True)
    valid_until = models.DateField(_("終了日"), null=True, blank=True)

    class Meta:
        verbose_name = _("役割の割当て")
        verbose_name_plural = _("役割の割当て")
        ordering = ["organization_id", "role_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="assignment_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.role_id}"
