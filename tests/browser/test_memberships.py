"""In a real browser: a member of two organisations chooses one, then switches in the header."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kitei.assets.services import register_asset
from kitei.people.memberships import add_membership
from kitei.people.services import create_department
from tests.conftest import SETUP

from ..conftest import make_org, make_person
from .test_login import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_of_two_organisations_chooses_and_switches(live_server: Any, page: Page) -> None:
    mito = make_org()
    toyama = make_org("toyama", "toyama-kankoji-kumiai", "富山市管工事協同組合")
    for org, name, classification in (
        (mito, "議員名簿", {"機密性": "3B", "完全性": "2", "可用性": "1"}),
        (toyama, "組合員名簿", {"重要性分類": "I"}),
    ):
        dept = create_department(org, actor=SETUP, name="総務")
        register_asset(
            org,
            actor=SETUP,
            name=name,
            department=dept,
            form="paper",
            classification=classification,
        )
    member = make_person(mito, "kobayashi", "小林 県雄")
    until = timezone.localdate() + timedelta(days=90)
    add_membership(toyama, actor=SETUP, user=member.user, kind="support", valid_until=until)
    base = live_server.url
    _sign_in(page, base, "kobayashi")
    expect(page).to_have_url(f"{base}/organization/")
    expect(page.get_by_role("heading", name="組織の選択")).to_be_visible()
    page.get_by_role("row", name="富山市管工事協同組合").get_by_role(
        "button", name="この組織で作業する"
    ).click()
    expect(page.locator("header .org")).to_have_text("富山市管工事協同組合")
    page.goto(f"{base}/assets/")
    expect(page.get_by_role("link", name="組合員名簿")).to_be_visible()
    expect(page.get_by_text("議員名簿")).to_have_count(0)
    page.get_by_label("作業する組織").select_option(label="水戸市議会")
    page.get_by_role("button", name="切り替える").click()
    expect(page.locator("header .org")).to_have_text("水戸市議会")
    page.goto(f"{base}/assets/")
    expect(page.get_by_role("link", name="議員名簿")).to_be_visible()
    expect(page.get_by_text("組合員名簿")).to_have_count(0)
