"""Forms of the self-inspection pages: start a campaign, answer an item, review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kitei.inspections.choices import AnswerChoice, Scope


class StartForm(forms.Form):
    """Start a fiscal year's campaign from one of the pack's inspection duties."""

    duty = forms.ChoiceField(label=_("点検の義務"))
    fiscal_year = forms.IntegerField(
        label=_("年度（西暦の4月1日の年）"), min_value=2000, max_value=2100
    )
    scopes = forms.MultipleChoiceField(
        label=_("対象"),
        choices=Scope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("選ばない場合は、義務の実施者の役割から決まります。"),
    )

    def __init__(self, *args: Any, duties: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duty"].choices = duties  # type: ignore[attr-defined]  # a ChoiceField


class AnswerForm(forms.Form):
    """One item's answer; the service checks the reason and the improvement action."""

    choice = forms.ChoiceField(
        label=_("回答"), choices=[("", "—"), *AnswerChoice.choices], required=False
    )
    reason = forms.CharField(
        label=_("該当なしの理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    plan = forms.CharField(
        label=_("改善の内容"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "「一部実施」「実施していない」の場合、自己の権限の範囲内で行う改善を記入します。"
        ),
    )
    owner = forms.CharField(label=_("改善の担当者"), required=False, max_length=100)
    due_on = forms.DateField(
        label=_("改善の期限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    comment = forms.CharField(
        label=_("備考"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(forms.Form):
    """The reviewer's reason (required to return or reopen)."""

    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("差戻し・再開の場合は必須です。"),
    )


class UploadForm(forms.Form):
    """A filled questionnaire sheet (.xlsx) to check or import."""

    file = forms.FileField(
        label=_("点検票のファイル（.xlsx）"),
        help_text=_("「確認する」はすべての行を検査するだけで、何も書き込みません。"),
    )
