"""Forms of the information system register; they check input, the services make the change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kitei.core.models import Organization
from kitei.people.forms import DateInput
from kitei.people.models import Department, Person
from kitei.systems import queries
from kitei.systems.models import System

FIELDS = (
    "name",
    "department",
    "manager",
    "operator",
    "zone",
    "is_external_service",
    "availability",
    "security_requirements",
    "planned_until",
)


class SystemForm(forms.Form):
    """A system's register entry: owner, managers, network zone of the pack, requirements."""

    name = forms.CharField(label=_("システム名"), max_length=200)
    department = forms.ModelChoiceField(label=_("所管部署"), queryset=Department.objects.none())
    manager = forms.ModelChoiceField(
        label=_("情報システム管理者"), queryset=Person.objects.none(), required=False
    )
    operator = forms.ModelChoiceField(
        label=_("情報システム担当者"), queryset=Person.objects.none(), required=False
    )
    zone = forms.ChoiceField(label=_("ネットワーク"), required=False)
    is_external_service = forms.BooleanField(label=_("外部サービス（クラウド）"), required=False)
    availability = forms.ChoiceField(label=_("必要な可用性"), required=False)
    security_requirements = forms.CharField(
        label=_("セキュリティ要件"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    planned_until = forms.DateField(
        label=_("利用予定期間の終了"),
        required=False,
        widget=DateInput(),
        help_text=_("ソフトウェアのサポートがこの日より前に終わると警告します。"),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # Japanese labels take no colon
        super().__init__(*args, **kwargs)
        pack = queries.pack_of(organization)
        self.fields["department"].queryset = queries.departments(organization)  # type: ignore[attr-defined]  # ModelChoiceField
        for key in ("manager", "operator"):
            self.fields[key].queryset = queries.people(organization)  # type: ignore[attr-defined]  # ModelChoiceField
        zones = queries.zone_titles(pack)
        self.fields["zone"].choices = [("", "---------"), *zones.items()]  # type: ignore[attr-defined]  # ChoiceField
        if not zones:
            del self.fields["zone"]  # the seed defines no network zones
        levels = queries.availability_levels(pack)
        self.fields["availability"].choices = [("", "---------"), *levels]  # type: ignore[attr-defined]  # ChoiceField
        if not levels:
            del self.fields["availability"]  # the seed defines no availability classes

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("システム名を入力してください。"))
        return name

    def entry(self) -> dict[str, Any]:
        """The register fields as the services take them (absent pack fields left out)."""
        return {key: self.cleaned_data[key] for key in FIELDS if key in self.cleaned_data}

    @classmethod
    def initial_for(cls, system: System) -> dict[str, Any]:
        """The form's initial values from a system."""
        return {key: getattr(system, key) for key in FIELDS}


class SoftwareForm(forms.Form):
    """Software a system runs, with its end of support (002 7-4(1)キ)."""

    name = forms.CharField(label=_("ソフトウェア名"), max_length=200)
    version = forms.CharField(label=_("バージョン"), max_length=64, required=False)
    end_of_support = forms.DateField(
        label=_("サポート終了日"),
        required=False,
        widget=DateInput(),
        help_text=_("開発元が公表しているサポート（パッチ提供）の終了日。"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # Japanese labels take no colon
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("ソフトウェア名を入力してください。"))
        return name
