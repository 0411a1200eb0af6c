"""Forms of the audit pages (several share a page, so each has a prefix)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kitei.audits.choices import AuditKind, AuditMethod, FindingKind
from kitei.core.models import Organization
from kitei.people.models import Department, Person
from kitei.systems.models import System

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # Japanese labels take no colon
        super().__init__(*args, **kwargs)


class ProgrammeForm(_Form):
    fiscal_year = forms.IntegerField(
        label=_("年度（西暦の開始年）"),
        min_value=2000,
        max_value=2100,
        help_text=_("例: 2026（令和8年度）"),
    )
    note = forms.CharField(
        label=_("計画の説明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class AuditForm(_Form):
    title = forms.CharField(label=_("監査名"), max_length=200)
    kind = forms.ChoiceField(label=_("種類"), choices=AuditKind.choices)
    departments = forms.ModelMultipleChoiceField(
        label=_("対象の課"), queryset=Department.objects.none(), required=False
    )
    systems = forms.ModelMultipleChoiceField(
        label=_("対象の情報システム"), queryset=System.objects.none(), required=False
    )
    contracts = forms.CharField(
        label=_("対象の契約"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("1行に1件"),
    )
    auditees = forms.ModelMultipleChoiceField(
        label=_("監査を受ける者"), queryset=Person.objects.none(), required=False
    )
    criteria = forms.CharField(
        label=_("監査基準"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "1行に1項目。「条項|引用」（ポリシーの条項）または取り込んだチェックリストの項目の文。"
        ),
    )
    methods = forms.MultipleChoiceField(
        label=_("監査の方法"),
        choices=AuditMethod.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_on = forms.DateField(label=_("開始予定日"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("終了予定日"), required=False, widget=DATE)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(organization=organization)  # type: ignore[attr-defined]
        self.fields["systems"].queryset = System.objects.filter(organization=organization)  # type: ignore[attr-defined]
        self.fields["auditees"].queryset = Person.objects.filter(organization=organization)  # type: ignore[attr-defined]

    def criteria_items(self) -> list[dict[str, str]]:
        items = []
        for n, line in enumerate(_lines(self.cleaned_data["criteria"]), start=1):
            if "|" in line:
                clause, quote = line.split("|", 1)
                items.append({"clause": clause.strip(), "quote": quote.strip()})
            else:
                items.append({"id": str(n), "text": line})
        return items

    def contract_names(self) -> list[str]:
        return _lines(self.cleaned_data["contracts"])


class AppointForm(_Form):
    person = forms.ModelChoiceField(label=_("監査人"), queryset=Person.objects.none())
    is_lead = forms.BooleanField(label=_("監査責任者"), required=False)
    reason = forms.CharField(
        label=_("止むを得ない理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("監査を受ける者を指名する場合に限り、ポリシーが認めるときに記録します。"),
    )
    competence = forms.CharField(
        label=_("専門知識の確認"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("情報セキュリティに関する専門知識の根拠（資格、経験など）。"),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(organization=organization)  # type: ignore[attr-defined]


class PaperForm(_Form):
    item = forms.CharField(label=_("監査項目"), max_length=200, required=False)
    text = forms.CharField(
        label=_("監査調書"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("監査調書の内容を入力してください。")},
    )


class FindingForm(_Form):
    kind = forms.ChoiceField(label=_("区分"), choices=FindingKind.choices)
    title = forms.CharField(label=_("件名"), max_length=200)
    department = forms.ModelChoiceField(label=_("対象の課"), queryset=Department.objects.none())
    clause = forms.CharField(label=_("根拠条項"), max_length=64, required=False)
    quote = forms.CharField(
        label=_("根拠の引用"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description = forms.CharField(
        label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    due = forms.DateField(label=_("期限"), required=False, widget=DATE)

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class ReportForm(_Form):
    report = forms.CharField(
        label=_("監査報告書"),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("監査報告書の本文を入力してください。")},
        help_text=_(
            "発行すると監査は封印され、証拠ファイルと監査調書は追加できなくなります（以後は追補）。"
        ),
    )


class PlanForm(_Form):
    root_cause = forms.CharField(
        label=_("原因"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    plan = forms.CharField(label=_("改善計画"), widget=forms.Textarea(attrs={"rows": 3}))
    actions = forms.CharField(
        label=_("是正措置"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("1行に1件。「件名|期限（YYYY-MM-DD）」、期限がなければ件名だけ。"),
    )

    def clean_actions(self) -> list[tuple[str, date | None]]:
        out: list[tuple[str, date | None]] = []
        for line in _lines(self.cleaned_data["actions"]):
            title, _sep, due = line.partition("|")
            try:
                out.append(
                    (title.strip(), date.fromisoformat(due.strip()) if due.strip() else None)
                )
            except ValueError:
                raise ValidationError(_("期限は YYYY-MM-DD で入力してください。")) from None
        return out


class ReasonForm(_Form):
    reason = forms.CharField(
        label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeployForm(_Form):
    departments = forms.ModelMultipleChoiceField(
        label=_("確認させる課"), queryset=Department.objects.none()
    )

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments  # type: ignore[attr-defined]


class AnswerForm(_Form):
    found = forms.ChoiceField(
        label=_("同種の問題の有無"),
        choices=[("yes", _("有")), ("no", _("無"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("有か無を選んでください。")},
    )
    note = forms.CharField(label=_("確認の内容"), widget=forms.Textarea(attrs={"rows": 2}))
