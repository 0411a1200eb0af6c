"""Forms of the request pages; they check input, the approval services decide and record."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kitei.approvals.takeout import MAX_DESTINATION, MAX_PURPOSE, TakeOutPlan, is_take_out
from kitei.assets.models import Asset
from kitei.core import access
from kitei.core.models import Organization
from kitei.policy.actions import CANONICAL_ACTIONS
from kitei.systems.models import System

# The context flags every action understands (kitei.policy.actions.CONTEXT_FLAGS), as the
# form shows them; the engine tests them, the page only asks.
FLAGS: tuple[tuple[str, Any, Any], ...] = (
    ("emergency", _("緊急時"), _("緊急に行う必要がある（事後の報告等が求められる場合があります）")),
    ("external", _("外部"), _("相手方・送付先が組織の外部である")),
    ("minor", _("軽易なもの"), _("軽易な作業・変更である")),
    ("encrypted", _("暗号化"), _("情報を暗号化して扱う")),
    ("visitor", _("来訪者"), _("来訪者（職員等以外の者）が関わる")),
)

# htmx: a change of what the decision depends on asks the server for a fresh preview.
PREVIEW_ATTRS = {
    "hx-post": "",  # filled with the preview URL by the form
    "hx-target": "#preview",
    "hx-swap": "innerHTML",
    "hx-include": "closest form",
    "hx-trigger": "change",
}


def action_choices(organization: Organization) -> list[tuple[Any, Any]]:
    """The canonical actions with their Japanese titles, then the pack's own `x.` actions."""
    pack = access.engine_for(organization.pack_id, organization.pack_digest).pack
    canonical = [(key, f"{title}") for key, title in CANONICAL_ACTIONS.items()]
    own = [(a.id, a.title) for a in pack.actions]
    choices: list[tuple[Any, Any]] = [("", "---------"), (_("共通の操作"), canonical)]
    if own:
        choices.append((_("この組織の規程に固有の操作"), own))
    return choices


class AssetChoice(forms.ModelChoiceField):  # type: ignore[type-arg]  # django-stubs: generic in the model
    """An asset as 「名称（所管部署）」."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.department.name}）"


TAKE_OUT_FIELDS = ("destination", "purpose", "take_out_at", "return_on")
"""The fields a take-out must fill (approvals.takeout); other actions leave them out."""


class RequestEntryForm(forms.Form):
    """What a person asks to do: the action, its asset or system, the circumstances, why.

    A take-out also says where to, what for, from when and until when (TAKE_OUT_FIELDS),
    the return not before the take-out; the page shows those fields for a take-out only.
    """

    action = forms.ChoiceField(
        label=_("操作"), error_messages={"required": _("操作を選んでください。")}
    )
    asset = AssetChoice(label=_("対象の情報資産"), queryset=Asset.objects.none(), required=False)
    system = forms.ModelChoiceField(
        label=_("対象の情報システム"), queryset=System.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("申請理由"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("何のために、いつ、どこで行うかを書いてください。"),
        error_messages={"required": _("申請理由を記入してください。")},
    )
    destination = forms.CharField(
        label=_("持出先"),
        max_length=MAX_DESTINATION,
        required=False,
        help_text=_("例: 市民会館 第1会議室、○○株式会社（委託先）"),
    )
    purpose = forms.CharField(
        label=_("目的"),
        max_length=MAX_PURPOSE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    take_out_at = forms.DateTimeField(
        label=_("持出予定日時"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("持出予定日時を正しく入力してください。")},
    )
    return_on = forms.DateField(
        label=_("返却予定日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("持出予定日時の日より前の日は指定できません。"),
        error_messages={"invalid": _("返却予定日を正しく入力してください。")},
    )

    def __init__(self, *args: Any, organization: Organization, preview_url: str, **kwargs: Any):
        kwargs.setdefault("label_suffix", "")  # Japanese labels take no colon
        super().__init__(*args, **kwargs)
        attrs = {**PREVIEW_ATTRS, "hx-post": preview_url}
        self.fields["action"].choices = action_choices(organization)  # type: ignore[attr-defined]  # ChoiceField
        # A disposed asset (廃棄済み) is history: nothing more is asked about it.
        assets = access.scoped(
            Asset.objects.select_related("department").filter(disposed_at__isnull=True),
            organization,
        )
        self.fields["asset"].queryset = assets.order_by("department__name", "name", "pk")  # type: ignore[attr-defined]  # ModelChoiceField
        systems = access.scoped(System.objects.all(), organization).order_by("name")
        self.fields["system"].queryset = systems  # type: ignore[attr-defined]  # ModelChoiceField
        for name in ("action", "asset", "system"):
            self.fields[name].widget.attrs.update(attrs)
        for flag, label, help_text in FLAGS:
            self.fields[flag] = forms.BooleanField(label=label, help_text=help_text, required=False)
            self.fields[flag].widget.attrs.update(attrs)

    def flag_fields(self) -> list[forms.BoundField]:
        """The context flags, shown together as checkboxes."""
        return [self[flag] for flag, _label, _help in FLAGS]

    def context(self) -> dict[str, bool]:
        """The ticked flags as the request's context ({flag: True})."""
        return {flag: True for flag, _label, _help in FLAGS if self.cleaned_data.get(flag)}

    def confirmed_obligations(self) -> list[str]:
        """The obligation ids the applicant ticked on the preview's checklist."""
        getlist = getattr(self.data, "getlist", None)
        return [str(v) for v in getlist("obligations")] if getlist is not None else []

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("申請理由を記入してください。"))
        return reason

    def take_out_fields(self) -> list[forms.BoundField]:
        """The take-out's fields, shown together."""
        return [self[name] for name in TAKE_OUT_FIELDS]

    def clean(self) -> dict[str, Any]:
        """A take-out fills every take-out field, its return not before the take-out."""
        data: dict[str, Any] = super().clean() or {}
        if not is_take_out(data.get("action") or ""):
            return data
        titles = {name: self.fields[name].label for name in TAKE_OUT_FIELDS}
        for name in TAKE_OUT_FIELDS:
            value = data.get(name)
            if name not in self.errors and not (value.strip() if isinstance(value, str) else value):
                self.add_error(
                    name, _("持ち出しの申請には%(field)sが必要です。") % {"field": titles[name]}
                )
        plan = self.take_out_plan()
        if plan is not None and not any(name in self.errors for name in TAKE_OUT_FIELDS):
            try:
                plan.checked()  # the return not before the take-out (approvals.takeout)
            except forms.ValidationError as exc:
                self.add_error("return_on", exc)
        return data

    def take_out_plan(self) -> TakeOutPlan | None:
        """The take-out as entered, for a take-out request (None for any other action)."""
        data = self.cleaned_data
        if not is_take_out(data.get("action") or ""):
            return None
        return TakeOutPlan(
            destination=data.get("destination") or "",
            purpose=data.get("purpose") or "",
            take_out_at=data.get("take_out_at"),
            return_on=data.get("return_on"),
        )


class VerdictForm(forms.Form):
    """An approver's comment, and the applicant-approver's 止むを得ない理由 (002 2(6)ア)."""

    comment = forms.CharField(
        label=_("コメント"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    override_reason = forms.CharField(
        label=_("止むを得ず申請者本人が承認する理由"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("理由は申請に記録され、監査証跡と報告に表示されます。"),
    )

    def __init__(self, *args: Any, with_override: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if not with_override:
            del self.fields["override_reason"]
