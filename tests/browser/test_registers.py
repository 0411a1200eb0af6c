"""In a real browser: an administrator registers an asset and sees its 取扱制限 and label."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kitei.people.services import create_department
from tests.conftest import SETUP

from ..accounts.otp import totp_code
from ..conftest import PASSWORD, activate_totp, make_org, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in_with_totp(page: Page, base: str, username: str, secret: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_label("認証コード").fill(totp_code(secret))
    page.get_by_role("button", name="確認してログイン").click()
    expect(page).to_have_url(f"{base}/")


def _keep(page: Page, tmp_path: Path, name: str) -> None:
    """Screenshot the page; with KITEI_SCREENSHOTS_DIR set (make screenshots), keep it there."""
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    if target := os.environ.get("KITEI_SCREENSHOTS_DIR"):
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, Path(target) / name)


def test_administrator_registers_an_asset_and_sees_restrictions_and_label_screenshot(
    live_server: Any, page: Page, tmp_path: Path
) -> None:
    org = make_org()
    somu = create_department(org, actor=SETUP, name="議会事務局総務課")
    create_department(org, actor=SETUP, name="議会事務局議事課")
    admin = make_person(org, "mito-admin", "伊藤 五郎", department=somu, is_org_admin=True)
    secret = activate_totp(admin)
    _sign_in_with_totp(page, live_server.url, "mito-admin", secret)

    page.get_by_role("link", name="情報資産台帳").click()
    expect(page.locator("h1")).to_have_text("情報資産台帳")
    page.get_by_role("link", name="情報資産を登録").click()
    page.get_by_label("名称").fill("議員名簿")
    page.get_by_label("所管部署").select_option(label="議会事務局総務課")
    page.get_by_label("管理責任者").select_option(label="伊藤 五郎")
    page.get_by_label("形態").select_option(label="電磁的記録")
    page.get_by_label("保管場所").fill("議会事務局 ファイルサーバ")
    page.get_by_label("公開区分").select_option(label="非公開")
    page.get_by_label("機密性").select_option(label="機密性3B")
    page.get_by_label("完全性").select_option(label="完全性2")
    page.get_by_label("可用性").select_option(label="可用性1")
    page.get_by_role("button", name="登録する").click()

    expect(page.locator("h1")).to_have_text("議員名簿")
    expect(page.locator(".messages")).to_contain_text("「議員名簿」を登録しました。")
    expect(page.locator("#classification")).to_have_text("機密性3B・完全性2・可用性1")
    expect(page.locator("#label .stamp")).to_have_text("機密性3B・完全性2・可用性1")
    expect(page.locator("#label")).to_contain_text("3(2)イ")
    restrictions = page.locator("#restrictions")
    expect(restrictions.get_by_role("heading", name="取扱制限")).to_be_visible()
    expect(restrictions).to_contain_text("必要以上の複製及び配付禁止")
    expect(restrictions).to_contain_text("バックアップ、電子署名付与")
    expect(restrictions).to_contain_text("3(1)")
    _keep(page, tmp_path, "asset-mito.png")

    page.get_by_role("link", name="← 情報資産台帳").click()
    page.get_by_label("機密性").select_option(label="機密性3B")
    expect(page).to_have_url(
        f"{live_server.url}/assets/?q=&department=&confidentiality=3B&integrity=&availability="
        "&status=&form=&owner="
    )
    expect(page.locator("#assets tbody tr")).to_have_count(1)
    expect(page.locator("#assets tbody")).to_contain_text("議員名簿")
