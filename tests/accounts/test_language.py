"""The English switch: the header's form posts to set_language; pages then render from locale/en."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from .otp import LOGIN, sign_in


def _switch(client: Client, language: str, next_url: str) -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url


@pytest.mark.django_db
def test_login_page_switches_to_english_and_back(mito: Any) -> None:
    client = Client()
    page = client.get(LOGIN).content.decode()
    assert '<button class="link" name="language" value="en">' in page
    _switch(client, "en", LOGIN)
    page = client.get(LOGIN).content.decode()
    assert '<html lang="en">' in page
    assert "<h1>Sign in</h1>" in page
    assert '<label for="id_login">Username' in page
    assert "contact your organisation's administrator" in page
    assert "ユーザー名" not in page
    assert "日本語</button>" in page  # the way back
    wrong = sign_in(client, "nobody", "whatever-password").content.decode()
    assert "The username and/or password you specified are not correct." in wrong
    _switch(client, "ja", LOGIN)
    assert "<h1>ログイン</h1>" in client.get(LOGIN).content.decode()


@pytest.mark.django_db
def test_home_page_renders_in_english_after_switching(suzuki: Any) -> None:
    client = Client()
    sign_in(client, "suzuki")
    _switch(client, "en", "/")
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "<h1>水戸市議会</h1>" in page  # names are data, not translated
    assert "Information security policy" in page
    assert "Your roles" in page
    assert "Sign out" in page
    assert "Two-factor authentication" in page
    assert "あなたの役割" not in page


@pytest.mark.django_db
def test_english_errors_on_the_password_change_page(suzuki: Any) -> None:
    client = Client()
    sign_in(client, "suzuki")
    _switch(client, "en", "/accounts/password/change/")
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "wrong-password", "password1": "short", "password2": "short"},
    )
    page = response.content.decode()
    assert "<h1>Change password</h1>" in page
    assert "Please type your current password." in page
    assert "This password is too short. It must contain at least 12 characters." in page
