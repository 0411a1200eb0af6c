"""Forms of the incident pages: filing in under a minute, triage, timeline entries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kitei.assets.models import Asset
from kitei.core.models import Organization
from kitei.incidents.choices import EntryKind, Flag, IncidentEvent, Means, Source
from kitei.people.models import Person
from kitei.policy.model import Pack
from kitei.systems.models import System

_WHEN = {"type": "datetime-local"}
_FORMAT = "%Y-%m-%dT%H:%M"


class FileForm(forms.Form):
    """What happened, when it was noticed, kind, flags and the affected register rows."""

    kind = forms.ChoiceField(label=_("種別"), required=False)
    title = forms.CharField(label=_("件名"), max_length=200)
    description = forms.CharField(label=_("発生した事象"), widget=forms.Textarea(attrs={"rows": 4}))
    detected_at = forms.DateTimeField(
        label=_("認知日時"), widget=forms.DateTimeInput(attrs=_WHEN, format=_FORMAT)
    )
    occurred_at = forms.DateTimeField(
        label=_("発生日時（分かれば）"),
        required=False,
        widget=forms.DateTimeInput(attrs=_WHEN, format=_FORMAT),
    )
    source = forms.ChoiceField(
        label=_("認知の経緯"), choices=Source.choices, initial=Source.INTERNAL
    )
    flags = forms.MultipleChoiceField(
        label=_("該当する事項"), required=False, widget=forms.CheckboxSelectMultiple
    )
    systems = forms.ModelMultipleChoiceField(
        label=_("影響を受ける情報システム"), queryset=System.objects.none(), required=False
    )
    assets = forms.ModelMultipleChoiceField(
        label=_("影響を受ける情報資産"), queryset=Asset.objects.none(), required=False
    )

    def __init__(self, *args: Any, organization: Organization, pack: Pack, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        if pack.incident_kinds:
            kind.required = True
            kind.choices = [("", "---"), *((k.id, k.title) for k in pack.incident_kinds)]
        else:
            kind.choices = [("", _("（パックに種別の定めなし）"))]
        labels = dict(Flag.choices)
        levels = {level.id: level.title for level in pack.severity_levels}
        from kitei.incidents.chain import known_flags  # noqa: PLC0415 - avoid a cycle at import

        flags = self.fields["flags"]
        assert isinstance(flags, forms.MultipleChoiceField)
        flags.choices = [(f, labels.get(f) or levels.get(f, f)) for f in known_flags(pack)]
        systems = self.fields["systems"]
        assets = self.fields["assets"]
        assert isinstance(systems, forms.ModelMultipleChoiceField)
        assert isinstance(assets, forms.ModelMultipleChoiceField)
        systems.queryset = System.objects.filter(organization=organization).order_by("name")
        assets.queryset = Asset.objects.filter(
            organization=organization, disposed_at__isnull=True
        ).order_by("name")


class MoveForm(forms.Form):
    """One triage transition with the text it needs."""

    event = forms.ChoiceField(choices=IncidentEvent.choices)
    reason = forms.CharField(
        label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    prevention = forms.CharField(
        label=_("再発防止策"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    instruction = forms.CharField(
        label=_("CISOの指示"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    cause = forms.CharField(
        label=_("原因"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecideForm(forms.Form):
    """The CSIRT's decision on a 「必要に応じて」 step."""

    report = forms.TypedChoiceField(
        label=_("判断"),
        choices=[("yes", _("報告する")), ("no", _("報告しない"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class AcknowledgeForm(forms.Form):
    """Receipt of a report; for an outside party, how it was told."""

    means = forms.ChoiceField(label=_("手段"), choices=Means.choices, required=False)


class EntryForm(forms.Form):
    """A timeline entry (a correction names the entry it corrects)."""

    kind = forms.ChoiceField(
        label=_("種類"), choices=[c for c in EntryKind.choices if c[0] != EntryKind.STATE_CHANGE]
    )
    event_at = forms.DateTimeField(
        label=_("発生日時"), widget=forms.DateTimeInput(attrs=_WHEN, format=_FORMAT)
    )
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}))
    corrects = forms.IntegerField(label=_("訂正する記録の番号"), required=False, min_value=1)


class SeverityForm(forms.Form):
    """The CSIRT's judgement of severity: a level the seed names, with the reason."""

    severity = forms.ChoiceField(label=_("重大度"), required=False)
    reason = forms.CharField(label=_("判断の理由"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, pack: Pack, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["severity"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("該当なし")), *((lv.id, lv.title) for lv in pack.severity_levels)]


class PreventionActionForm(forms.Form):
    """One recurrence-prevention measure as a corrective action: title, owner, due date."""

    title = forms.CharField(label=_("措置"), max_length=200)
    owner = forms.ModelChoiceField(label=_("担当者"), queryset=Person.objects.none())
    due = forms.DateField(
        label=_("期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = Person.objects.filter(organization=organization).order_by("name")
