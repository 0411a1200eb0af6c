"""Entries of the record books the pack defines (廃棄記録, 入退室管理簿, 作業記録 …).

Entries are append-only: a correction is a new entry that names the one it corrects.
`fields` holds the pack book's fields by id. A few columns are kept outside `fields`
because lists are filtered on them: the due date of a take-out's return and when an entry
was closed (returned, disposal done, confirmed by the second person). The services in
`kitei.records.services` are the only writers; closing an entry is a conditional UPDATE of
its closing columns, never a `save()` of the row.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.approvals.models import Request
from kitei.core.models import Organization
from kitei.people.models import Person


class Awaiting(models.TextChoices):
    """What an entry still waits for; it is open until `closed_at` is set."""

    NOTHING = "none", _("なし")
    RETURN = "return", _("返却待ち")
    DISPOSAL = "disposal", _("処理待ち")
    CONFIRMATION = "confirmation", _("確認待ち")
    EXIT = "exit", _("退室未記録")
    REPORT = "report", _("要事後報告")


class RecordEntry(models.Model):
    """One entry of one record book, linked to the request it records when there is one."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    book = models.CharField(_("記録簿"), max_length=64, db_index=True)  # pack book id
    # 記録番号 within the book, per fiscal year (R8-0001, kitei.core.numbering); URLs use pk.
    number = models.CharField(_("記録番号"), max_length=16)
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    fields = models.JSONField(_("記録内容"), default=dict)
    recorded_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("記録者")
    )
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True, db_index=True)
    due_on = models.DateField(_("期限"), null=True, blank=True)  # e.g. expected return
    closed_at = models.DateTimeField(_("完了日時"), null=True, blank=True)
    closed_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("確認者"),
    )
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    awaits = models.CharField(
        _("未完了の手続"), max_length=16, choices=Awaiting.choices, default=Awaiting.NOTHING
    )
    # The person the entry concerns: who took the asset out (reminded when overdue), or
    # the escort of a visitor (002 5-2(2)ウ).
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("対象者"),
    )
    # The entry this one is about, e.g. the exception a CISO's periodic review looked at.
    about = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followups",
        verbose_name=_("対象の記録"),
    )

    class Meta:
        verbose_name = _("記録")
        verbose_name_plural = _("記録")
        ordering = ["organization_id", "book", "-recorded_at"]
        indexes = [models.Index(fields=["organization", "book", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "book", "number"], name="entry_number_in_book"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.book} {self.number}"

    @property
    def is_open(self) -> bool:
        """Whether the entry still waits for its closing step (return, disposal …)."""
        return self.awaits != Awaiting.NOTHING and self.closed_at is None

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: a written entry is never saved again (append-only book)."""
        if not self._state.adding:
            raise RuntimeError("record entries are append-only; record a correction instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused: nothing is ever deleted from a record book."""
        raise RuntimeError("record entries are append-only; they are never deleted")
