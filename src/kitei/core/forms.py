"""Forms of the core app, shared by every app that takes evidence files."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitei.core.evidence_types import allowed_labels

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d"]
"""Dates a person types: 2026-04-01 (the date picker's) or 2026/04/01."""


class EvidenceForm(forms.Form):
    """An evidence file to attach: the file, the date it is evidence of, what it shows."""

    file = forms.FileField(label=_("ファイル"), max_length=255)
    evidence_date = forms.DateField(
        label=_("証拠の日付"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "証拠が示す出来事の日付（例: 廃棄を行った日、証明書の発行日）。登録日とは別です。"
        ),
        error_messages={"required": _("証拠の日付を入力してください。")},
    )
    description = forms.CharField(
        label=_("説明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("例: リース会社発行のデータ消去証明書"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # Japanese labels take no colon
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("添付できるのは %(kinds)s です。") % {
            "kinds": allowed_labels()
        }
        self.fields["evidence_date"].initial = timezone.localdate()


class AuditFilterForm(forms.Form):
    """The audit trail's filters: action, person, object type, dates (local, inclusive).

    The choices are what the trail can hold: registered actions, the organisation's people
    and operators, registered object types. `before`/`after` are the page's place (seq).
    """

    action = forms.ChoiceField(label=_("操作"), required=False)
    actor = forms.ChoiceField(label=_("実行者"), required=False)
    object_type = forms.ChoiceField(label=_("対象の種類"), required=False)
    object_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    date_from = forms.DateField(
        label=_("期間（から）"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("開始日は 2026-04-01 のように年-月-日で入力してください。")},
    )
    date_to = forms.DateField(
        label=_("期間（まで）"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("終了日は 2027-03-31 のように年-月-日で入力してください。")},
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        actions: list[tuple[str, str]],
        actors: list[tuple[str, str]],
        object_types: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")  # Japanese labels take no colon
        super().__init__(*args, **kwargs)
        everything = [("", _("すべて"))]
        for name, choices, message in (
            ("action", actions, _("「%(value)s」という操作はありません。")),
            ("actor", actors, _("「%(value)s」はこの組織の職員・操作者ではありません。")),
            ("object_type", object_types, _("「%(value)s」という対象の種類はありません。")),
        ):
            field = cast(forms.ChoiceField, self.fields[name])
            field.choices = [*everything, *choices]
            field.error_messages["invalid_choice"] = message

    def clean(self) -> dict[str, Any]:
        """The period must not end before it starts."""
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("終了日は開始日と同じ日かそれより後にしてください。"))
        return data
