"""In a real browser: a request's 申請書 prints to PDF on A4 portrait, without the navigation.

mito: 鈴木 (staff of 総務課) took out a laptop of 総務課; 佐藤, its 情報セキュリティ管理者,
approved. 鈴木 opens 「印刷用の表示」 from the request page and prints it (Chromium's PDF).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kitei.assets.services import register_asset
from kitei.people.services import create_department
from tests.conftest import SETUP

from ..conftest import PASSWORD, approve_as, file_request_as, make_org, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A4_POINTS = (595.3, 841.9)  # 210 × 297 mm at 72 points to the inch


def _approved_take_out() -> Any:
    org = make_org()
    somu = create_department(org, actor=SETUP, name="総務課")
    staff = make_person(org, "suzuki", "鈴木 花子", roles=("members_and_staff",), department=somu)
    manager = make_person(
        org, "sato", "佐藤 一郎", roles=("information_security_manager",), department=somu
    )
    laptop = register_asset(
        org,
        actor=SETUP,
        name="議会用ノートパソコン",
        department=somu,
        form="electronic",
        classification={"機密性": "2", "完全性": "2", "可用性": "2"},
    )
    request = file_request_as(org, staff, "asset.take_out", asset=laptop, reason="委員会資料")
    return approve_as(request, manager, comment="返却を忘れずに")


def test_the_request_form_prints_on_a4_portrait(live_server: Any, page: Page) -> None:
    request = _approved_take_out()
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill("suzuki")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.goto(f"{base}/approvals/{request.pk}/")
    page.get_by_role("link", name="印刷用の表示").click()
    expect(page.locator("h1")).to_contain_text("申請書")
    boxes = page.locator("#approval-boxes")
    expect(boxes).to_contain_text("第1段階")
    expect(boxes).to_contain_text("情報セキュリティ管理者")
    expect(boxes).to_contain_text("佐藤 一郎")

    page.emulate_media(media="print")  # what the printer gets: the sheet, no navigation
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.get_by_role("button", name="印刷する")).to_be_hidden()
    expect(page.locator("#sheet-number")).to_have_text(request.number)
    expect(page.locator(".sheet")).to_contain_text("6-1(1)ウ(イ)")

    pdf = page.pdf(prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF-")
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", pdf)
    assert 1 <= len(pages) <= 2, f"{len(pages)} pages"
    sizes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert len(sizes) == len(pages)
    for width, height in sizes:
        assert abs(float(width) - A4_POINTS[0]) < 2
        assert abs(float(height) - A4_POINTS[1]) < 2
