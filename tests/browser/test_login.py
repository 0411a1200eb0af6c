"""In a real browser: staff of each of the five organisations, and an administrator with TOTP."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kitei.core.access import engine_for
from kitei.demo import ORGS, DemoOrg
from kitei.people.services import assign_role, create_department
from tests.conftest import SETUP

from ..accounts.otp import totp_code
from ..conftest import PASSWORD, activate_totp, make_org, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _staff(spec: DemoOrg) -> Any:
    """An organisation of the demo with one member of staff holding the pack's staff category."""
    org = make_org(spec.slug, spec.pack, spec.name)
    dept = create_department(org, actor=SETUP, name=spec.departments[-1])
    person = make_person(org, f"{spec.slug}-staff", "鈴木 花子", department=dept)
    categories = [
        r.id
        for r in engine_for(org.pack_id, org.pack_digest).pack.roles
        if r.kind == "user_category"
    ]
    role = "staff" if "staff" in categories else categories[0]  # 職員 (議員及び職員 in mito)
    assign_role(org, actor=SETUP, person=person, role_id=role)
    return person


def _sign_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/accounts/login/?next=/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()


def _keep(page: Page, tmp_path: Path, name: str) -> None:
    """Screenshot the page; with KITEI_SCREENSHOTS_DIR set (make screenshots), keep it there."""
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    if target := os.environ.get("KITEI_SCREENSHOTS_DIR"):
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, Path(target) / name)


@pytest.mark.parametrize("spec", ORGS, ids=lambda spec: spec.pack)
def test_staff_member_sees_the_japanese_home_page(
    live_server: Any, page: Page, spec: DemoOrg
) -> None:
    person = _staff(spec)
    _sign_in(page, live_server.url, person.user.username)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("h1")).to_have_text(spec.name)
    expect(page.locator("header .org")).to_have_text(spec.name)
    expect(page.get_by_role("heading", name="あなたの役割")).to_be_visible()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()


def test_wrong_password_shows_a_japanese_error(live_server: Any, page: Page) -> None:
    person = _staff(ORGS[0])
    _sign_in(page, live_server.url, person.user.username, "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("ユーザー名またはパスワードが正しくありません。")
    expect(page.get_by_label("ユーザー名")).to_have_value(person.user.username)


def test_administrator_signs_in_with_password_and_totp(live_server: Any, page: Page) -> None:
    org = make_org("gamagori", "gamagori-city", "蒲郡市")
    admin = make_person(org, "gamagori-admin", "渡辺 美咲", is_org_admin=True)
    secret = activate_totp(admin)
    _sign_in(page, live_server.url, "gamagori-admin")
    expect(page.get_by_role("heading", name="二要素認証")).to_be_visible()
    page.get_by_label("認証コード").fill(totp_code(secret))
    page.get_by_role("button", name="確認してログイン").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text("蒲郡市")
    expect(page.locator("header .who")).to_have_text("渡辺 美咲")


def test_administrator_sets_up_totp_from_the_qr_page(live_server: Any, page: Page) -> None:
    org = make_org("shinagawa", "shinagawa-city", "品川区")
    make_person(org, "shinagawa-admin", "中村 誠", is_org_admin=True)
    _sign_in(page, live_server.url, "shinagawa-admin")
    expect(page.get_by_role("heading", name="本人確認")).to_be_visible()
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="確認する").click()
    expect(page.get_by_role("heading", name="認証アプリの設定")).to_be_visible()
    qr = page.get_by_role("img", name="QRコード（認証アプリの登録用）")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    secret = page.get_by_label("シークレットキー").input_value()
    page.get_by_label("認証コード（6桁）").fill(totp_code(secret))
    page.get_by_role("button", name="有効にする").click()
    expect(page.get_by_role("heading", name="リカバリーコード")).to_be_visible()
    page.get_by_role("link", name="保管しました。ホームへ進む").click()
    expect(page.locator("h1")).to_have_text("品川区")


def test_screenshots_of_the_login_page_and_the_home_page(
    live_server: Any, page: Page, tmp_path: Path
) -> None:
    person = _staff(ORGS[0])
    page.goto(f"{live_server.url}/accounts/login/")
    _keep(page, tmp_path, "login.png")
    _sign_in(page, live_server.url, person.user.username)
    expect(page.locator("h1")).to_have_text("水戸市議会")
    _keep(page, tmp_path, "home-mito.png")
