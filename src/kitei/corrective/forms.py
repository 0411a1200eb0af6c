"""Forms of the corrective action pages (each with a prefix: several share one page)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # Japanese labels take no colon
        super().__init__(*args, **kwargs)


class ProgressForm(_Form):
    """A progress report."""

    note = forms.CharField(
        label=_("進捗の内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("進捗の内容を入力してください。")},
    )


class ReportForm(_Form):
    """The completion report (the evidence is attached beforehand)."""

    note = forms.CharField(
        label=_("完了報告の内容"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VerifyForm(_Form):
    """Confirm (確認済) or return (差戻し) the reported work."""

    decision = forms.ChoiceField(
        label=_("確認の結果"),
        choices=[("verify", _("確認済とする")), ("return", _("差し戻す"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("確認の結果を選んでください。")},
    )
    effectiveness = forms.CharField(
        label=_("有効性の確認"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("措置により問題が解消したかをどのように確かめたか。"),
    )
    reason = forms.CharField(
        label=_("差し戻す理由"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
