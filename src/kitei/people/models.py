"""Departments, people, memberships and role assignments (who holds which pack role)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.core.models import Organization
from kitei.people.choices import MembershipKind


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
    """A member of an organisation (職員, 議員 …), optionally with a login account.

    One account may have a Person in several organisations (at most one in each); which
    of them acts is decided by the account's active Membership (`kitei.core.tenancy`).
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="persons",
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
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="person_user_organization"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def mail_address(self) -> str:
        """Where kitei mails the person: the register's address, else the account's; "" if none."""
        if self.email:
            return self.email
        return str(getattr(self.user, "email", "") or "") if self.user is not None else ""


class Membership(models.Model):
    """A period in which a login account belongs to an organisation, as its Person there.

    A user may hold memberships in several organisations (a prefecture's
    情報セキュリティクラウド team, external auditors) and, over time, several periods in one;
    kitei acts for the user only inside the one active organisation, and only while the
    membership is valid (both ends inclusive; no date: no limit). Never deleted: ended by
    setting `valid_until`. `user` and `organization` repeat the person's own, so that the
    account's memberships are one indexed query.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("職員")
    )
    kind = models.CharField(
        _("所属の種類"),
        max_length=32,
        choices=MembershipKind.choices,
        default=MembershipKind.MEMBER,
    )
    valid_from = models.DateField(_("開始日"), null=True, blank=True)
    valid_until = models.DateField(_("終了日"), null=True, blank=True)
    created_at = models.DateTimeField(_("所属の登録日時"), auto_now_add=True)
    created_by = models.CharField(_("所属の登録者"), max_length=150)

    class Meta:
        verbose_name = _("所属（メンバーシップ）")
        verbose_name_plural = _("所属（メンバーシップ）")
        ordering = ["organization_id", "user_id", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="membership_period",
            ),
            # kitei's rule: an external auditor's membership ends by itself.
            models.CheckConstraint(
                condition=~models.Q(kind=MembershipKind.EXTERNAL_AUDITOR)
                | models.Q(valid_until__isnull=False),
                name="membership_auditor_time_boxed",
            ),
        ]
        indexes = [models.Index(fields=["user", "organization"], name="membership_user_org")]

    def __str__(self) -> str:
        return f"{self.person} {self.organization} ({self.get_kind_display()})"

    @property
    def requires_totp(self) -> bool:
        """Whether acting under this membership needs TOTP (kitei's rule for external auditors)."""
        return self.kind == MembershipKind.EXTERNAL_AUDITOR

    def clean(self) -> None:
        """The person is the user's record in the membership's organisation."""
        if self.person_id is not None and (
            self.person.user_id != self.user_id
            or self.person.organization_id != self.organization_id
        ):
            raise ValidationError(_("職員の記録が利用者と組織に一致しません。"))


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
