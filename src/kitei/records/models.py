"""Entries of the record books the pack defines (廃棄記録, 入退室管理簿, 作業記録 …).

Entries are append-only: a correction is a new entry that names the one it corrects.
`fields` holds the pack book's fields by id. A few columns are kept outside `fields`
because lists are filtered on them: the due date of a take-out's return and when an entry
was closed (returned, disposal done, confirmed by the second person).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.approvals.models import Request
from kitei.core.models import Organization
from kitei.people.models import Person


class RecordEntry(models.Model):
    """One entry of one record book, linked to the request it records when there is one."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    book = models.CharField(_("記録簿"), max_length=64, db_index=True)  # pack book id
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

    class Meta:
        verbose_name = _("記録")
        verbose_name_plural = _("記録")
        ordering = ["organization_id", "book", "-recorded_at"]
        indexes = [models.Index(fields=["organization", "book", "due_on"])]

    def __str__(self) -> str:
        return f"{self.book} #{self.pk}"
