"""`{% reauthentication_reason as why %}`: why allauth asks for the password again, in words.

allauth asks a signed-in person to confirm it is them (the password, or a TOTP code)
before any change to their two-factor authentication or showing their recovery codes, and
does not ask again for `ACCOUNT_REAUTHENTICATION_TIMEOUT` seconds. The prompt names the
action it guards (from the `next` URL it returns to) and says why it asks.
"""

from __future__ import annotations

from typing import Any

from allauth.account import app_settings
from django import template
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

register = template.Library()


def _actions() -> dict[str, str]:
    """allauth's URL names of the guarded pages → what the person was about to do."""
    return {
        "mfa_activate_totp": _("二要素認証（認証アプリ）の設定"),
        "mfa_deactivate_totp": _("二要素認証の解除"),
        "mfa_view_recovery_codes": _("リカバリーコードの表示"),
        "mfa_generate_recovery_codes": _("リカバリーコードの再発行"),
        "mfa_download_recovery_codes": _("リカバリーコードのダウンロード"),
        "account_change_password": _("パスワードの変更"),
        "account_set_password": _("パスワードの設定"),
    }


@register.simple_tag(takes_context=True)
def reauthentication_reason(context: Any) -> dict[str, object]:
    """The guarded action (or "" when unknown) and how long a confirmation lasts, in minutes."""
    request = context.get("request")
    path = str(request.GET.get("next", "")) if request is not None else ""
    action = ""
    if path.startswith("/") and not path.startswith("//"):
        try:
            action = _actions().get(resolve(path.split("?", 1)[0]).url_name or "", "")
        except Resolver404:
            action = ""
    minutes = max(1, round(app_settings.REAUTHENTICATION_TIMEOUT / 60))
    return {"action": action, "minutes": minutes}
