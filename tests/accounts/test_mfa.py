"""TOTP: setup forced on administrators, recovery codes, and login with a code."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.core.exceptions import ValidationError
from django.test import Client

from kitei.core.models import ChangeRecord

from ..conftest import PASSWORD, activate_totp, make_person
from .otp import (
    LOGIN,
    MFA_AUTHENTICATE,
    REAUTHENTICATE,
    RECOVERY_CODES,
    TOTP_ACTIVATE,
    open_totp_setup,
    sign_in,
    totp_code,
)

WRONG_CODE = "コードが正しくありません。"


@pytest.fixture
def ito(mito: Any) -> Any:
    """水戸市議会's organisation administrator, who has not set up TOTP yet."""
    return make_person(mito, "ito", "伊藤 六郎", is_org_admin=True)


def _has_totp(person: Any) -> bool:
    return Authenticator.objects.filter(user=person.user, type=Authenticator.Type.TOTP).exists()


@pytest.mark.django_db
def test_administrator_without_totp_is_sent_to_a_setup_page_with_qr_and_secret(ito: Any) -> None:
    client = Client()
    assert sign_in(client, "ito")["Location"] == "/"
    assert client.get("/")["Location"] == TOTP_ACTIVATE
    assert client.get("/audit/")["Location"] == TOTP_ACTIVATE
    # allauth asks for the password again before any change to two-factor authentication.
    assert client.get(TOTP_ACTIVATE)["Location"].startswith(REAUTHENTICATE)
    assert "本人確認" in client.get(REAUTHENTICATE).content.decode()
    client.post(REAUTHENTICATE, {"password": PASSWORD})
    response = client.get(TOTP_ACTIVATE)
    page = response.content.decode()
    secret = response.context["form"].secret
    assert "認証アプリの設定" in page
    assert f'value="{secret}"' in page
    # The QR code is an inline SVG made on the server; the page loads nothing from elsewhere.
    qr = re.search(r'<img class="qr" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page)
    assert qr is not None
    svg = base64.b64decode(qr.group(1)).decode()
    assert svg.startswith("<?xml") or svg.startswith("<svg")
    assert "href" not in svg
    assert not re.search(r"""(src|href|action)=["'](https?:)?//""", page)


@pytest.mark.django_db(transaction=True)  # allauth sends its message on commit, as in production
def test_activating_totp_shows_recovery_codes_then_opens_home(ito: Any) -> None:
    client = Client()
    sign_in(client, "ito")
    secret = open_totp_setup(client)
    response = client.post(TOTP_ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == RECOVERY_CODES
    page = client.get(RECOVERY_CODES).content.decode()
    codes = RecoveryCodes(
        Authenticator.objects.get(user=ito.user, type=Authenticator.Type.RECOVERY_CODES)
    ).get_unused_codes()
    assert len(codes) == 10
    assert all(code in page for code in codes)
    assert "各コードは1回だけ使えます" in page
    assert "認証アプリによる二要素認証を有効にしました。" in page
    assert client.get("/").status_code == 200
    assert _has_totp(ito)
    # Setting up two-factor is in the audit trail of the person's organisation.
    added = ChangeRecord.objects.filter(action="add_authenticator", organization=ito.organization)
    assert {json.loads(r.after)["type"] for r in added} >= {"totp"}


@pytest.mark.django_db
def test_wrong_code_at_setup_is_refused_in_japanese(ito: Any) -> None:
    client = Client()
    sign_in(client, "ito")
    secret = open_totp_setup(client)
    page = client.post(TOTP_ACTIVATE, {"code": totp_code(secret, at=0)}).content.decode()
    assert WRONG_CODE in page
    assert not _has_totp(ito)
    assert client.get("/")["Location"] == TOTP_ACTIVATE


@pytest.mark.django_db
def test_holder_of_an_administrative_role_must_set_up_totp_too(mito: Any) -> None:
    make_person(mito, "kato", "加藤 四郎", roles=("ciso",))
    client = Client()
    sign_in(client, "kato")
    assert client.get("/")["Location"] == TOTP_ACTIVATE


@pytest.mark.django_db
def test_staff_member_is_not_asked_for_totp(suzuki: Any) -> None:
    client = Client()
    sign_in(client, "suzuki")
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_login_with_totp_asks_for_the_code_before_anything_opens(ito: Any) -> None:
    secret = activate_totp(ito)
    client = Client()
    response = sign_in(client, "ito")
    assert response["Location"] == MFA_AUTHENTICATE
    assert client.get("/")["Location"] == f"{LOGIN}?next=/"  # not signed in yet
    page = client.get(MFA_AUTHENTICATE).content.decode()
    assert "認証アプリに表示されている6桁のコードを入力してください。" in page
    assert "認証コード" in page
    assert (
        WRONG_CODE
        in client.post(MFA_AUTHENTICATE, {"code": totp_code(secret, at=0)}).content.decode()
    )
    response = client.post(MFA_AUTHENTICATE, {"code": totp_code(secret)})
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "伊藤 六郎" in home.content.decode()


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once(ito: Any) -> None:
    activate_totp(ito)
    code = RecoveryCodes.activate(ito.user).get_unused_codes()[0]
    client = Client()
    sign_in(client, "ito")
    assert client.post(MFA_AUTHENTICATE, {"code": code})["Location"] == "/"
    again = Client()
    sign_in(again, "ito")
    assert WRONG_CODE in again.post(MFA_AUTHENTICATE, {"code": code}).content.decode()


@pytest.mark.django_db
def test_repeated_wrong_codes_lock_the_second_step(ito: Any) -> None:
    secret = activate_totp(ito)
    client = Client()
    sign_in(client, "ito")
    for _ in range(5):
        client.post(MFA_AUTHENTICATE, {"code": totp_code(secret, at=0)})
    page = client.post(MFA_AUTHENTICATE, {"code": totp_code(secret)}).content.decode()
    assert "一時的にロックされています（入力回数制限）" in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_two_factor_page_shows_the_state_in_japanese(ito: Any) -> None:
    secret = activate_totp(ito)
    client = Client()
    sign_in(client, "ito")
    client.post(MFA_AUTHENTICATE, {"code": totp_code(secret)})
    page = client.get("/accounts/2fa/").content.decode()
    assert "認証アプリによる確認が有効です。" in page
    assert "リカバリーコードはまだ作成されていません。" in page


@pytest.mark.django_db
def test_those_who_must_use_totp_cannot_switch_it_off(ito: Any, suzuki: Any) -> None:
    from allauth.mfa.adapter import get_adapter  # noqa: PLC0415
    from allauth.mfa.totp.forms import DeactivateTOTPForm  # noqa: PLC0415

    activate_totp(ito)
    activate_totp(suzuki)
    admin_totp = Authenticator.objects.get(user=ito.user, type=Authenticator.Type.TOTP)
    staff_totp = Authenticator.objects.get(user=suzuki.user, type=Authenticator.Type.TOTP)
    assert not get_adapter().can_delete_authenticator(admin_totp)
    assert get_adapter().can_delete_authenticator(staff_totp)
    form = DeactivateTOTPForm(authenticator=admin_totp, data={})
    assert not form.is_valid()
    assert "二要素認証を無効にできません" in str(form.errors)


@pytest.mark.django_db
def test_an_external_auditor_sets_up_totp_before_seeing_any_data(suzuki: Any, toyama: Any) -> None:
    from datetime import timedelta  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    from kitei.core.tokens import create_api_token  # noqa: PLC0415
    from kitei.people.memberships import add_membership  # noqa: PLC0415

    from ..conftest import SETUP  # noqa: PLC0415

    # 鈴木 is staff of mito, and audits toyama as an external auditor for 90 days.
    until = timezone.localdate() + timedelta(days=90)
    add_membership(
        toyama, actor=SETUP, user=suzuki.user, kind="external_auditor", valid_until=until
    )
    client = Client()
    sign_in(client, "suzuki")
    assert client.get("/")["Location"] == "/organization/"
    client.post("/organization/switch/", {"organization": suzuki.organization.pk})
    assert client.get("/").status_code == 200  # staff of mito: no TOTP asked
    client.post("/organization/switch/", {"organization": toyama.pk})
    for path in ("/", "/assets/", "/records/", "/people/"):
        assert client.get(path)["Location"] == TOTP_ACTIVATE
    # No API token until TOTP is set up: none is issued, and one issued before stops working.
    with pytest.raises(ValidationError, match="二要素認証"):
        create_api_token(suzuki.user, actor=SETUP, organization=toyama)
    activate_totp(suzuki)
    _token, plain = create_api_token(suzuki.user, actor=SETUP, organization=toyama)
    Authenticator.objects.filter(user=suzuki.user).delete()
    api = Client(headers={"Authorization": f"Bearer {plain}"})
    response = api.get("/api/assets")
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"
    activate_totp(suzuki)
    assert client.get("/").status_code == 200
    assert api.get("/api/assets").status_code == 200
    # Nor can TOTP be switched off while the membership lasts, whichever organisation is active.
    from allauth.mfa.adapter import get_adapter  # noqa: PLC0415

    totp = Authenticator.objects.get(user=suzuki.user, type=Authenticator.Type.TOTP)
    assert not get_adapter().can_delete_authenticator(totp)
