"""Forms of the core app, shared by every app that takes evidence files."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitei.core.evidence_types import allowed_labels


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
