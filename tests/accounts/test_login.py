"""Login, wrong password, lockout after repeated failures, logout, session expiry: in Japanese."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from ..conftest import make_person
from .otp import LOGIN, LOGOUT, sign_in

WRONG = "ユーザー名またはパスワードが正しくありません。"
LOCKED = "一時的にロックされています（入力回数制限）"


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_login_page_is_in_japanese() -> None:
    response = Client().get(LOGIN)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja">' in page
    assert '<label for="id_login">ユーザー名' in page
    assert '<label for="id_password">パスワード' in page
    assert '<button type="submit" class="button">ログイン</button>' in page
    assert "組織の管理者に連絡してください" in page


@pytest.mark.django_db
def test_staff_member_signs_in_and_reaches_home(suzuki: Any) -> None:
    client = Client()
    response = sign_in(client, "suzuki")
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/").content.decode()
    assert "<h1>水戸市議会</h1>" in home
    assert "鈴木 花子" in home


@pytest.mark.django_db
def test_wrong_password_shows_a_japanese_error_and_signs_nobody_in(suzuki: Any) -> None:
    client = Client()
    response = sign_in(client, "suzuki", "not-the-password")
    page = response.content.decode()
    assert response.status_code == 200
    assert WRONG in page
    assert 'role="alert"' in page
    assert not _signed_in(client)


@pytest.mark.django_db
def test_unknown_user_gets_the_same_message_as_a_wrong_password(mito: Any) -> None:
    page = sign_in(Client(), "nobody", "whatever-password").content.decode()
    assert WRONG in page


@pytest.mark.django_db
def test_missing_fields_are_named_in_japanese(mito: Any) -> None:
    page = Client().post(LOGIN, {"login": "", "password": ""}).content.decode()
    # Under each field, and again in the error summary at the top, as links to the fields.
    assert page.count("<li>このフィールドは必須です。</li>") == 2
    assert '<a href="#id_login">ユーザー名: このフィールドは必須です。</a>' in page
    assert '<a href="#id_password">パスワード: このフィールドは必須です。</a>' in page


@pytest.mark.django_db
def test_five_failures_lock_the_account_even_for_the_right_password(mito: Any) -> None:
    make_person(mito, "suzuki", "鈴木 花子")
    make_person(mito, "takahashi", "高橋 健太")
    client = Client()
    for _ in range(5):
        assert WRONG in sign_in(client, "suzuki", "guess-password").content.decode()
    response = sign_in(client, "suzuki")  # settings: login_failed 5/15m per account
    page = response.content.decode()
    assert response.status_code == 200
    assert LOCKED in page
    assert "組織の管理者に連絡してください" in page
    assert not _signed_in(client)
    # The lock is per account: a colleague at the same terminal still signs in.
    assert sign_in(Client(), "takahashi")["Location"] == "/"


@pytest.mark.django_db
def test_a_successful_login_does_not_reset_the_failure_count(mito: Any) -> None:
    make_person(mito, "suzuki", "鈴木 花子")
    for _ in range(4):
        sign_in(Client(), "suzuki", "guess-password")
    assert sign_in(Client(), "suzuki")["Location"] == "/"
    assert WRONG in sign_in(Client(), "suzuki", "guess-password").content.decode()  # the 5th
    assert LOCKED in sign_in(Client(), "suzuki").content.decode()


@pytest.mark.django_db
def test_logout_asks_in_japanese_then_ends_the_session(suzuki: Any) -> None:
    client = Client()
    sign_in(client, "suzuki")
    page = client.get(LOGOUT).content.decode()
    assert "ログアウトしますか？" in page
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not _signed_in(client)
    assert "ログアウトしました。" in client.get(LOGIN).content.decode()
    assert client.get("/")["Location"] == f"{LOGIN}?next=/"


@pytest.mark.django_db
def test_session_lives_session_cookie_age_and_ends_with_the_browser(suzuki: Any) -> None:
    client = Client()
    sign_in(client, "suzuki")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert client.session.get_expire_at_browser_close()


@pytest.mark.django_db
def test_expired_session_is_sent_back_to_login_with_a_japanese_notice(suzuki: Any) -> None:
    client = Client()
    sign_in(client, "suzuki")
    assert client.get("/").status_code == 200
    expired = timezone.now() - timedelta(seconds=1)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=expired)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/"
    page = client.get(response["Location"]).content.decode()
    assert "一定時間操作がなかった場合も、安全のため再度ログインが必要です。" in page
    assert sign_in(client, "suzuki")["Location"] == "/"
