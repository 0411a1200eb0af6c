"""In a real browser under the Content-Security-Policy: htmx, the API docs and the admin work.

The `page` fixture fails any test during which the browser blocked something by the policy.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from kitei.people.services import create_department
from tests.conftest import SETUP

from ..accounts.otp import totp_code
from ..conftest import PASSWORD, make_org, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base: str, username: str, secret: str = "") -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    if secret:
        page.get_by_label("認証コード").fill(totp_code(secret))
        page.get_by_role("button", name="確認してログイン").click()


def test_people_filter_by_htmx(live_server: Any, page: Page) -> None:
    org = make_org()
    somu = create_department(org, actor=SETUP, name="総務課")
    gikai = create_department(org, actor=SETUP, name="議会事務局")
    make_person(org, "suzuki", "鈴木 花子", department=somu)
    make_person(org, "kato", "加藤 次郎", department=gikai)
    _sign_in(page, live_server.url, "suzuki")
    assert page.evaluate("htmx.config.allowEval") is False  # base.html's htmx-config
    page.goto(f"{live_server.url}/people/")
    expect(page.get_by_role("cell", name="加藤 次郎")).to_be_visible()
    page.get_by_label("所属").select_option(label="総務課")
    expect(page).to_have_url(f"{live_server.url}/people/?department={somu.pk}&role=")
    expect(page.get_by_role("cell", name="加藤 次郎")).to_have_count(0)
    expect(page.get_by_role("cell", name="鈴木 花子")).to_be_visible()


def test_site_administrator_uses_the_admin_and_the_api_docs(live_server: Any, page: Page) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: PLC0415

    root = get_user_model().objects.create_superuser("root", "", PASSWORD)
    secret = generate_totp_secret()
    TOTP.activate(root, secret)
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/admin/")
    _sign_in(page, live_server.url, "root", secret)
    page.goto(f"{live_server.url}/admin/auth/user/")
    expect(page.get_by_role("link", name="root")).to_be_visible()
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("kitei")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
