"""The re-authentication prompt says what it guards and why it appears."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ..conftest import activate_totp, make_person
from .otp import REAUTHENTICATE, RECOVERY_CODES, TOTP_ACTIVATE, sign_in

pytestmark = pytest.mark.django_db

WHY = "離席中の端末やログインしたままの画面から、ほかの人が設定を変えられないようにするため"


def test_totp_setup_asks_again_naming_the_action_and_the_reason(mito: Any) -> None:
    make_person(mito, "ito", "伊藤 六郎", is_org_admin=True)
    client = Client()
    sign_in(client, "ito")
    location = client.get(TOTP_ACTIVATE)["Location"]
    assert location.startswith(REAUTHENTICATE)
    page = client.get(location).content.decode()
    reason = page.split('id="reauthentication-reason"')[1].split("</p>")[0]
    assert (
        "「二要素認証（認証アプリ）の設定」の前に、本人であることをもう一度確認します。" in reason
    )
    assert WHY in reason
    assert "確認は 5 分間有効です" in reason


def test_recovery_codes_and_an_unknown_target_are_named_plainly(mito: Any) -> None:
    person = make_person(mito, "ito", "伊藤 六郎", is_org_admin=True)
    activate_totp(person)
    client = Client()
    client.force_login(person.user)
    page = client.get(f"{REAUTHENTICATE}?next={RECOVERY_CODES}").content.decode()
    assert "「リカバリーコードの表示」の前に" in page
    for odd in ("", "?next=https://example.com/", "?next=/no/such/page/"):
        page = client.get(f"{REAUTHENTICATE}{odd}").content.decode()
        assert "この操作の前に、本人であることをもう一度確認します。" in page
        assert WHY in page
