"""kitei's own 400, 403, 404 and 500 pages, in Japanese and in English, with DEBUG off."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client, RequestFactory

from kitei.core import errors
from tests.conftest import PASSWORD

pytestmark = pytest.mark.urls("tests.core.error_urls")


@pytest.fixture(autouse=True)
def production(settings: Any) -> None:
    """As served: no debug pages (they would list the URL patterns)."""
    settings.DEBUG = False


def _client(language: str = "ja", **kwargs: Any) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    if language != "ja":
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.django_db
def test_404_says_what_happened_and_what_to_do() -> None:
    response = _client().get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert '<html lang="ja">' in page
    assert "<h1>ページが見つかりません（404）</h1>" in page
    assert "「/no-such-page/」というページはありません。" in page
    assert "アドレスを確かめてください。" in page
    assert "Using the URLconf" not in page
    assert "Page not found" not in page


@pytest.mark.django_db
def test_404_in_english() -> None:
    page = _client("en").get("/no-such-page/").content.decode()
    assert '<html lang="en">' in page
    assert "<h1>Page not found (404)</h1>" in page
    assert "There is no page “/no-such-page/”." in page
    assert "ページ" not in page


@pytest.mark.django_db
def test_404_for_another_organisations_record_looks_the_same(suzuki: Any) -> None:
    client = _client()
    assert client.login(username="suzuki", password=PASSWORD)
    page = client.get("/assets/999999/").content.decode()
    assert "<h1>ページが見つかりません（404）</h1>" in page
    assert "鈴木 花子" in page  # the page frame, with the signed-in person


@pytest.mark.django_db
def test_400_for_a_request_kitei_will_not_handle() -> None:
    response = _client().get("/test-errors/400/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "<h1>要求を処理できません（400）</h1>" in page
    assert "ページを再読み込みしてから、もう一度操作してください。" in page
    english = _client("en").get("/test-errors/400/").content.decode()
    assert "<h1>Bad request (400)</h1>" in english


@pytest.mark.django_db
def test_400_for_an_unknown_host_name() -> None:
    response = _client(HTTP_HOST="kitei.example.invalid").get("/")
    assert response.status_code == 400
    assert "<h1>要求を処理できません（400）</h1>" in response.content.decode()


@pytest.mark.django_db
def test_500_says_nothing_was_saved() -> None:
    response = _client().get("/test-errors/500/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1>サーバーでエラーが起きました（500）</h1>" in page
    assert "変更は保存されていません" in page
    assert "a bug in a view" not in page
    assert "Traceback" not in page
    english = _client("en").get("/test-errors/500/").content.decode()
    assert "<h1>Server error (500)</h1>" in english
    assert "Nothing was saved" in english


def test_500_renders_without_the_database_or_a_session() -> None:
    # No django_db mark: any database access here would raise.
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "サーバーでエラーが起きました（500）" in response.content.decode()


@pytest.mark.django_db
def test_403_names_the_permission_and_the_reason_in_both_languages(suzuki: Any) -> None:
    client = _client()
    assert client.login(username="suzuki", password=PASSWORD)
    page = client.get("/audit/").content.decode()
    assert "<h1>この操作を行う権限がありません</h1>" in page
    assert "「監査証跡の閲覧」の権限がありません。" in page
    assert "10-1(2)ア" in page  # the clause of the role that has it
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/audit/").content.decode()
    assert "<h1>You may not do this</h1>" in english
    assert "You do not have the permission “Read the audit trail”." in english
    assert "This permission is given to" in english  # the reasons too, not only the title
    assert "10-1(2)ア" in english


@pytest.mark.django_db
def test_a_form_without_its_token_is_explained() -> None:
    client = _client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"login": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "<h1>送信を確認できませんでした（403）</h1>" in page
    assert "ページを再読み込みしてから、もう一度入力して送信してください。" in page
    assert "CSRF verification failed" not in page
