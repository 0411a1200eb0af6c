"""Forms of the record book pages; the fields come from the pack's book, the services record."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kitei.core import access
from kitei.core.models import Organization
from kitei.people.models import Person
from kitei.records.books import Book

# Book columns that hold a moment (entered as date and time, stored as ISO 8601 by the service).
MOMENTS = frozenset({"datetime", "taken_at", "entered_at", "left_at"})
# Columns that hold longer prose.
PROSE = frozenset(
    {"processing", "content", "work_content", "handling_result", "issues", "fault_report", "note"}
)
COLUMN_PREFIX = "f_"
"""Form fields named f_<column id> hold the book's columns (ids are the pack's)."""


class _Japanese(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # Japanese labels take no colon
        super().__init__(*args, **kwargs)


def _moment(label: Any, required: bool) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class EntryForm(_Japanese):
    """A new entry of one book: its columns, and for a take-out the expected return."""

    def __init__(self, *args: Any, book: Book, pending: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.book = book
        # A disposal approved but not yet done may be entered empty and completed later
        # (records.services.complete_disposal fills 日時・担当者・処理内容).
        optional = {c.id for c in book.fields} if pending else book.optional
        for column in book.fields:
            required = column.id not in optional
            name = COLUMN_PREFIX + column.id
            if column.id in MOMENTS:
                self.fields[name] = _moment(column.title, required)
            elif column.id in PROSE or (book.fields_by == "kitei" and len(book.fields) == 1):
                self.fields[name] = forms.CharField(
                    label=column.title,
                    required=required,
                    max_length=4000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
            else:
                self.fields[name] = forms.CharField(
                    label=column.title, required=required, max_length=4000
                )
        if book.purpose == "take_out":
            self.fields["due_on"] = forms.DateField(
                label=_("返却予定日"),
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                help_text=_(
                    "返却予定日を過ぎると、持ち出した人にメールで知らせます"
                    "（メールアドレスが登録されている場合）。"
                ),
                error_messages={"required": _("返却予定日を入力してください。")},
            )

    def values(self) -> dict[str, Any]:
        """The columns as the services take them ({column id: value})."""
        return {
            name.removeprefix(COLUMN_PREFIX): value
            for name, value in self.cleaned_data.items()
            if name.startswith(COLUMN_PREFIX)
        }


class VisitForm(_Japanese):
    """A visitor entering a 管理区域 with the member of staff escorting them (002 5-2(2))."""

    area = forms.CharField(label=_("管理区域"), max_length=200)
    visitor_name = forms.CharField(label=_("訪問者の氏名"), max_length=200)
    visitor_affiliation = forms.CharField(label=_("訪問者の所属"), max_length=200)
    escort = forms.ModelChoiceField(label=_("付添者"), queryset=Person.objects.none())
    entered_at = _moment(_("入室日時"), True)
    left_at = _moment(_("退室日時"), False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = access.scoped(Person.objects.all(), organization).order_by("name", "pk")
        self.fields["escort"].queryset = people  # type: ignore[attr-defined]  # ModelChoiceField


class ReturnForm(_Japanese):
    """When a taken-out asset came back (now, unless given)."""

    returned_at = _moment(_("返却日時"), False)


class DisposalForm(_Japanese):
    """What was done to dispose of the asset (002 3(2)コ(イ) 処理内容)."""

    processing = forms.CharField(
        label=_("処理内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例: 物理的に破壊、データ消去ソフトで消去、リース会社へ返却（消去証明書あり）"),
    )
