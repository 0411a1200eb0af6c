"""In a real browser: the demo's 課長 signs in and finds what waits on him on the home page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kitei.demo import DEMO_PASSWORD, build_demo
from kitei.people.models import Person

from ..accounts.otp import totp_code
from ..conftest import activate_totp
from .test_login import _keep, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_screenshot_of_the_managers_home_page(live_server: Any, page: Page, tmp_path: Path) -> None:
    build_demo()
    manager = Person.objects.get(user__username="mito-04")  # 議会事務局総務課長
    secret = activate_totp(manager)
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, live_server.url, "mito-04", DEMO_PASSWORD)
    page.get_by_label("認証コード").fill(totp_code(secret))
    page.get_by_role("button", name="確認してログイン").click()
    waiting = page.locator("#waiting")
    expect(waiting.get_by_role("heading", name="あなたの対応待ち")).to_be_visible()
    expect(waiting.locator("#waiting-inbox .n")).to_have_text("1")
    expect(waiting.locator("#waiting-overdue .n")).to_have_text("1")
    # The digest is hidden until 「詳細」 is opened.
    digest = page.locator("#policy code.digest")
    expect(digest).to_be_hidden()
    _keep(page, tmp_path, "home-manager-mito.png")
    page.locator("#policy summary").click()
    expect(digest).to_be_visible()
    # Each count opens the list of exactly those items.
    waiting.locator("#waiting-inbox a").click()
    expect(page.locator("h1")).to_contain_text("承認待ち")
    expect(page.locator("h1 .count")).to_have_text("1 件")
