"""In a real browser: a 課's self-inspection answered, submitted and confirmed.

mito-city-council 10-2(1)イ: 佐藤, the 情報セキュリティ管理者 of 総務課, answers the last two
items of the 課's questionnaire (該当なし is refused without a reason), submits it; 高橋, the
情報セキュリティ責任者, finds it in 確認待ち and confirms it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kitei.inspections.generation import start_campaign
from kitei.inspections.models import Answer
from kitei.people.services import create_department
from tests.conftest import SETUP

from ..conftest import activate_totp, make_org, make_person
from .test_approvals import _sign_in, _sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _keep_view(page: Page, tmp_path: Path, name: str) -> None:
    """Screenshot what the window shows (a questionnaire page is long); kept for the README
    with KITEI_SCREENSHOTS_DIR set (make screenshots)."""
    shot = tmp_path / name
    page.screenshot(path=str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    if target := os.environ.get("KITEI_SCREENSHOTS_DIR"):
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, Path(target) / name)


def test_answer_submit_and_confirm(page: Page, live_server: Any, tmp_path: Path) -> None:
    org = make_org()
    somu = create_department(org, actor=SETUP, name="総務課")
    sato = make_person(
        org, "sato", "佐藤 一郎", roles=("information_security_manager",), department=somu
    )
    officer = make_person(org, "takahashi", "高橋 局長", roles=("information_security_officer",))
    sato_secret, officer_secret = activate_totp(sato), activate_totp(officer)
    campaign = start_campaign(org, actor=SETUP, duty_id="self-inspection-policy", fiscal_year=2026)
    q = campaign.questionnaires.get(department=somu)
    first, second = q.answers.select_related("item").order_by("item__position")[:2]
    Answer.objects.filter(questionnaire=q).exclude(pk__in=[first.pk, second.pk]).update(
        choice="done"
    )
    base = live_server.url

    _sign_in(page, base, "sato", sato_secret)
    page.get_by_role("link", name="回答待ちの点検票").click()
    page.get_by_role("link", name="総務課").click()
    expect(page.locator("h1")).to_have_text("点検票: 総務課")
    item = page.locator(f"#item-{first.item_id}")
    expect(item).to_contain_text(first.item.quote)
    item.get_by_label("回答", exact=True).select_option("done")
    item.get_by_role("button", name="回答を保存").click()
    expect(page.locator(".messages")).to_contain_text("回答を保存しました。")
    item = page.locator(f"#item-{second.item_id}")
    item.get_by_label("回答", exact=True).select_option("not_applicable")
    item.get_by_role("button", name="回答を保存").click()
    expect(page.locator(f"#item-{second.item_id}")).to_contain_text(
        "「該当なし」には理由を記入してください。"
    )
    item = page.locator(f"#item-{second.item_id}")
    item.get_by_label("該当なしの理由").fill("総務課には該当する業務がない")
    item.get_by_role("button", name="回答を保存").click()
    expect(page.locator("#unanswered")).to_have_text("0")
    page.get_by_role("button", name="点検票を提出する").click()
    expect(page.locator("#state")).to_have_text("提出")
    page.locator(f"#item-{first.item_id}").scroll_into_view_if_needed()
    _keep_view(page, tmp_path, "inspection-questionnaire.png")
    _sign_out(page)

    _sign_in(page, base, "takahashi", officer_secret)
    page.get_by_role("link", name="確認待ちの点検票").click()
    page.get_by_role("link", name="総務課").click()
    page.locator("#review").get_by_role("button", name="確認").click()
    expect(page.locator("#state")).to_have_text("確認済")
    q.refresh_from_db()
    assert q.state == "confirmed"
