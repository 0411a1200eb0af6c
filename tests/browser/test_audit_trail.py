"""In a real browser at 1280px: an auditor reads the audit trail without scrolling sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kitei.assets.services import classify_asset, register_asset, update_asset
from kitei.people.services import create_department
from tests.conftest import PASSWORD, SETUP, make_org, make_person

from .test_registers import _keep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "https://fileserver.example.lg.jp/" + "議会事務局/総務課/研修資料/" * 12 + "一覧.xlsx"


def _trail() -> None:
    """A register with a few changes, one of them a long value without spaces."""
    org = make_org()
    somu = create_department(org, actor=SETUP, name="議会事務局総務課")
    admin = make_person(org, "mito-admin", "伊藤 五郎", department=somu, is_org_admin=True)
    make_person(org, "kansa", "監査 一子", roles=("auditor",))
    asset = register_asset(
        org,
        actor=admin.user,
        name="USBメモリ（研修資料持出用）",
        department=somu,
        form="medium",
        storage_location="総務 施錠キャビネット",
        classification={"confidentiality": "1", "integrity": "1", "availability": "1"},
    )
    asset = classify_asset(
        asset,
        actor=admin.user,
        classification={"confidentiality": "2", "integrity": "1", "availability": "1"},
    )
    update_asset(asset, actor=admin.user, description=LONG)


def _no_sideways_scroll(page: Page) -> None:
    wide = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert wide <= 0, f"the page is {wide}px wider than the window"


def test_auditor_reads_filters_and_follows_the_trail_screenshot(
    live_server: Any, page: Page, tmp_path: Path
) -> None:
    _trail()
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill("kansa")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(f"{base}/")

    page.goto(f"{base}/audit/")
    expect(page.locator("h1")).to_have_text("変更記録（監査証跡）")
    newest = page.locator("li.change").first
    expect(newest.locator(".action")).to_have_text("情報資産の変更")
    expect(newest.locator(".actor")).to_contain_text("伊藤 五郎")
    expect(newest.locator("table.diff")).to_contain_text("説明")
    expect(newest.locator("td.after")).to_contain_text("一覧.xlsx")
    _no_sideways_scroll(page)
    second = page.locator("li.change").nth(1)
    expect(second.locator("td.before")).to_have_text("機密性1")
    expect(second.locator("td.after")).to_have_text("機密性2")
    _keep(page, tmp_path, "audit-mito.png")

    page.get_by_label("操作").select_option(label="情報資産の分類")
    page.get_by_role("button", name="絞り込む").click()
    expect(page.locator("li.change")).to_have_count(1)
    page.get_by_role("link", name="この対象の記録").click()
    expect(page.locator("li.change")).to_have_count(3)
    expect(page.locator(".alert")).to_contain_text("USBメモリ（研修資料持出用）")
    page.locator("li.change").first.get_by_role("link", name="USBメモリ（研修資料持出用）").click()
    expect(page.locator("h1")).to_have_text("USBメモリ（研修資料持出用）")

    page.goto(f"{base}/audit/?date_from=2026-02-30")
    expect(page.locator(".audit-filters .errorlist")).to_have_text(
        "開始日は 2026-04-01 のように年-月-日で入力してください。"
    )
    _no_sideways_scroll(page)
