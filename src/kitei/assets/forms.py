"""Forms of the information asset register; they check input, the services make the change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from kitei.assets import queries
from kitei.assets.models import Asset, AssetForm, Disclosure
from kitei.core import access
from kitei.core.models import Organization
from kitei.people.models import Department, Person
from kitei.policy.model import Pack
from kitei.systems.models import System

AXIS_PREFIX = "class_"
"""Form fields named class_<axis id> hold the level of each axis of the pack."""

FIELDS = (
    "name",
    "description",
    "department",
    "owner",
    "form",
    "storage_location",
    "system",
    "retention",
    "disclosure",
)


def _is_class(name: str) -> bool:
    return name.startswith(AXIS_PREFIX) or name == "unclear"


class ClassificationMixin(forms.Form):
    """One select per axis of the pack (level titles, highest first), or 「分類が不明」."""

    pack: Pack
    allow_unclear = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # Japanese labels take no colon
        super().__init__(*args, **kwargs)

    def add_class_fields(self, pack: Pack) -> None:
        """Add the pack's axes; a pack without a scheme leaves only 「分類が不明」."""
        self.pack = pack
        for axis in pack.classification.axes:
            choices = [("", "---------"), *((lv.id, lv.title) for lv in reversed(axis.levels))]
            self.fields[AXIS_PREFIX + axis.id] = forms.ChoiceField(
                label=axis.title, choices=choices, required=False
            )
        if self.allow_unclear:
            self.fields["unclear"] = forms.BooleanField(
                label=_("分類が不明"),
                required=False,
                help_text=_("分類を決める役割の者に判断を仰ぎます。"),
            )
            if not pack.classification.axes:
                self.fields["unclear"].initial = True
                self.fields["unclear"].disabled = True
                self.fields["unclear"].help_text = _(
                    "このポリシーには分類の基準がないため、分類は「判断待ち」として登録します。"
                )

    def class_fields(self) -> list[BoundField]:
        """The classification's fields, shown together."""
        return [f for f in self.visible_fields() if _is_class(f.name)]

    def entry_fields(self) -> list[BoundField]:
        """The other fields."""
        return [f for f in self.visible_fields() if not _is_class(f.name)]

    def classification(self) -> dict[str, str] | None:
        """The chosen {axis id: level id}, or None when 「分類が不明」."""
        data = self.cleaned_data
        if not self.pack.classification.axes or data.get("unclear"):
            return None
        return {a.id: data[AXIS_PREFIX + a.id] for a in self.pack.classification.axes}

    def clean_classification(self) -> None:
        """Every axis needs a level unless the class is unclear (Japanese messages)."""
        data = self.cleaned_data
        if self.allow_unclear and (not self.pack.classification.axes or data.get("unclear")):
            return
        for axis in self.pack.classification.axes:
            key = AXIS_PREFIX + axis.id
            if key in self.fields and not self.fields[key].disabled and not data.get(key):
                message = _("%(axis)sを選んでください（不明な場合は「分類が不明」）。")
                self.add_error(key, message % {"axis": axis.title})


class AssetEntryForm(ClassificationMixin):
    """An asset's register entry and, unless it is a copy, its class."""

    name = forms.CharField(label=_("名称"), max_length=200)
    description = forms.CharField(
        label=_("説明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    department = forms.ModelChoiceField(label=_("所管部署"), queryset=Department.objects.none())
    owner = forms.ModelChoiceField(
        label=_("管理責任者"), queryset=Person.objects.none(), required=False
    )
    form = forms.ChoiceField(label=_("形態"), choices=AssetForm.choices)
    storage_location = forms.CharField(label=_("保管場所"), max_length=200, required=False)
    system = forms.ModelChoiceField(
        label=_("関連システム"), queryset=System.objects.none(), required=False
    )
    retention = forms.CharField(
        label=_("保存期間"),
        max_length=64,
        required=False,
        help_text=_("例: 5年、常用、会議終了後1年"),
    )
    disclosure = forms.ChoiceField(
        label=_("公開区分"), choices=Disclosure.choices, initial=Disclosure.UNDECIDED
    )

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        departments: QuerySet[Department],
        with_class: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["owner"].queryset = queries.people(organization)  # type: ignore[attr-defined]  # ModelChoiceField
        systems = access.scoped(System.objects.all(), organization).order_by("name")
        self.fields["system"].queryset = systems  # type: ignore[attr-defined]  # ModelChoiceField
        self.with_class = with_class
        if with_class:
            self.add_class_fields(queries.pack_of(organization))
        else:
            self.pack = queries.pack_of(organization)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("名称を入力してください。"))
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.with_class:
            self.clean_classification()
        return data

    def entry(self) -> dict[str, Any]:
        """The register fields as the services take them."""
        return {key: self.cleaned_data[key] for key in FIELDS}

    @classmethod
    def initial_for(cls, asset: Asset) -> dict[str, Any]:
        """The form's initial values from an asset."""
        initial: dict[str, Any] = {key: getattr(asset, key) for key in FIELDS}
        for axis, level in asset.classification.items():
            initial[AXIS_PREFIX + axis] = level
        initial["unclear"] = asset.classification_status == "unclear"
        return initial


class ClassifyForm(ClassificationMixin):
    """The class of an asset whose class was unclear, decided by the role the pack names."""

    allow_unclear = False

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_class_fields(queries.pack_of(organization))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.clean_classification()
        return data
