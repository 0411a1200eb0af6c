"""Forms of the duties pages: an organisation setting, a completion, a training session."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitei.core.forms import EvidenceForm

_DATE = {"type": "date"}


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # Japanese labels take no colon
        super().__init__(*args, **kwargs)


class SettingForm(_Form):
    """The organisation's decision on one value the seed leaves open."""

    key = forms.ChoiceField(label=_("設定項目"))
    value = forms.CharField(
        label=_("値"),
        required=False,
        max_length=200,
        help_text=_(
            "間隔は ISO 8601 の期間（P1M = 毎月、P3M = 四半期ごと）。空欄で未設定に戻します。"
        ),
    )
    basis = forms.CharField(
        label=_("根拠"),
        max_length=300,
        help_text=_("例: 情報セキュリティ実施手順 第5条"),
        error_messages={"required": _("根拠（実施手順の条項など）を入力してください。")},
    )
    decided_by = forms.CharField(
        label=_("決定者"),
        max_length=150,
        error_messages={"required": _("決定者を入力してください。")},
    )
    decided_on = forms.DateField(
        label=_("決定日"),
        widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"),
        error_messages={"required": _("決定日を入力してください。")},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["key"]).choices = choices
        self.fields["decided_on"].initial = timezone.localdate()


class CompleteForm(EvidenceForm):
    """Completing an occurrence by hand: when, what was done, and the evidence file."""

    completed_on = forms.DateField(
        label=_("実施日"),
        widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"),
        error_messages={"required": _("実施日を入力してください。")},
    )
    note = forms.CharField(
        label=_("実施内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("実施内容を入力してください。")},
    )
    field_order = ["completed_on", "note", "file", "evidence_date", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["completed_on"].initial = timezone.localdate()
        self.order_fields(self.field_order)


class TrainingForm(_Form):
    """A 研修・訓練 held: title, day, the duty it satisfies, who attended."""

    title = forms.CharField(
        label=_("研修・訓練の名称"),
        max_length=200,
        error_messages={"required": _("研修・訓練の名称を入力してください。")},
    )
    held_on = forms.DateField(
        label=_("実施日"),
        widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"),
        error_messages={"required": _("実施日を入力してください。")},
    )
    duty = forms.ChoiceField(label=_("満たす義務"))
    attendees = forms.MultipleChoiceField(
        label=_("出席者"), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )

    def __init__(
        self,
        *args: Any,
        duties: list[tuple[str, str]],
        people: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["duty"]).choices = duties
        cast(forms.ChoiceField, self.fields["attendees"]).choices = people
        self.fields["held_on"].initial = timezone.localdate()
