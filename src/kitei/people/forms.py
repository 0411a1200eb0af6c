"""Forms of the people register; they check input, the services make the change."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitei.core import access
from kitei.core.models import Organization
from kitei.people import queries
from kitei.people.csv_import import MAX_BYTES
from kitei.people.models import Department, Person

# A web import hashes one temporary password per account (about half a second each by
# Django's default hasher); larger files go through `kitei people import` so a request
# does not outlive the server's worker timeout.
WEB_MAX_ACCOUNTS = 40

SCOPE_NOTES = {
    "department": _("部署ごと"),
    "system": _("システムごと"),
    "organization": "",
}


class DateInput(forms.DateInput):
    """A browser date picker (yyyy-mm-dd)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DepartmentForm(forms.Form):
    """A new department (課) of the organisation."""

    name = forms.CharField(label=_("部署名"), max_length=100)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if queries.departments(self.organization).filter(name=name).exists():
            raise forms.ValidationError(_("この部署は既に登録されています。"))
        return name


class PersonForm(forms.Form):
    """A new person; with a username, a login account with a temporary password."""

    name = forms.CharField(label=_("氏名"), max_length=100)
    username = forms.CharField(
        label=_("ユーザー名"),
        max_length=150,
        required=False,
        help_text=_("空欄にするとログインアカウントを作りません。"),
    )
    password = forms.CharField(
        label=_("仮パスワード"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "空欄にすると自動で作成し、一度だけ表示します。初回ログイン時に変更が必要です。"
        ),
    )
    department = forms.ModelChoiceField(
        label=_("所属"), queryset=Department.objects.none(), required=False
    )
    position = forms.CharField(label=_("役職"), max_length=100, required=False)
    email = forms.EmailField(label=_("メールアドレス"), required=False)
    is_org_admin = forms.BooleanField(label=_("組織管理者"), required=False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = queries.departments(organization)  # type: ignore[attr-defined]  # ModelChoiceField

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        if username:
            user_model = get_user_model()
            user_model.username_validator(username)
            if user_model.objects.filter(username=username).exists():
                raise forms.ValidationError(_("このユーザー名は既に使われています。"))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password, username = data.get("password"), data.get("username")
        if password and not username:
            self.add_error("password", _("パスワードはユーザー名と一緒に指定してください。"))
        elif password:
            # The name too, so that the strength validator refuses passwords made of it.
            user = get_user_model()(
                username=str(username), email=data.get("email", ""), last_name=data.get("name", "")
            )
            try:
                validate_password(password, user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class AssignRoleForm(forms.Form):
    """A role of the pack for a person: department or system as the role's scope says."""

    role = forms.ChoiceField(label=_("役割"))
    department = forms.ModelChoiceField(
        label=_("対象部署"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("「部署ごと」の役割で指定します。"),
    )
    system: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("対象システム"),
        queryset=None,  # the organisation's systems, set in __init__
        required=False,
        help_text=_("「システムごと」の役割で指定します。"),
    )
    deputy_for = forms.ModelChoiceField(
        label=_("代行する相手"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("代行（代理）の場合だけ、同じ役割を担う人を選びます。"),
    )
    valid_from = forms.DateField(label=_("開始日"), required=False, widget=DateInput())
    valid_until = forms.DateField(
        label=_("終了日"), required=False, widget=DateInput(), help_text=_("この日まで有効です。")
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        engine = access.engine_for(organization.pack_id, organization.pack_digest)
        self.fields["role"].choices = [  # type: ignore[attr-defined]  # ChoiceField
            ("", "---------"),
            *(
                (r.id, f"{r.title}（{SCOPE_NOTES[r.scope]}）" if SCOPE_NOTES[r.scope] else r.title)
                for r in engine.pack.roles
            ),
        ]
        self.fields["department"].queryset = queries.departments(organization)  # type: ignore[attr-defined]  # ModelChoiceField
        self.fields["system"].queryset = queries.systems(organization)  # type: ignore[attr-defined]  # ModelChoiceField
        people = access.scoped(Person.objects.all(), organization).order_by("name")
        self.fields["deputy_for"].queryset = people  # type: ignore[attr-defined]  # ModelChoiceField


class EndAssignmentForm(forms.Form):
    """The last day an assignment is valid."""

    on = forms.DateField(
        label=_("終了日"), widget=DateInput(), help_text=_("この日まで有効で、翌日から外れます。")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ImportForm(forms.Form):
    """A people register file to check (dry run) or import."""

    file = forms.FileField(label=_("CSV ファイル"), required=False)
    content = forms.CharField(required=False, widget=forms.HiddenInput())
    create_departments = forms.BooleanField(label=_("存在しない部署を作成する"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_BYTES:
                raise forms.ValidationError(_("ファイルが大きすぎます（1 MB まで）。"))
            data["data"] = upload.read()
        elif data.get("content"):
            # The checked file, carried from the dry-run page; it is checked again on import.
            try:
                data["data"] = base64.b64decode(data["content"], validate=True)
            except (binascii.Error, ValueError) as exc:
                raise forms.ValidationError(_("ファイルを選んでください。")) from exc
        else:
            raise forms.ValidationError(_("ファイルを選んでください。"))
        if len(data["data"]) > MAX_BYTES:
            raise forms.ValidationError(_("ファイルが大きすぎます（1 MB まで）。"))
        return data
