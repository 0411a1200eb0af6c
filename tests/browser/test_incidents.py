"""In a real browser: staff file an incident, the 情報セキュリティ管理者 acknowledges it and the
CISO's step (6-3(1)イ) opens.

mito-city-council: 鈴木 (議員及び職員 of 総務課) files a 情報セキュリティインシデント; the page
shows the 6-3(1)ア steps to 佐藤 (情報セキュリティ管理者 of 総務課) and to the party
市長公室デジタルイノベーション課; 佐藤 signs in with TOTP, finds the report on the home page,
records its receipt, and the 6-3(1)イ step to the CISO 議長 shows as sent.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kitei.incidents.models import Incident
from kitei.people.services import create_department
from tests.conftest import SETUP

from ..conftest import activate_totp, make_org, make_person
from .test_approvals import _keep, _sign_in, _sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_file_as_staff_and_acknowledge_as_the_manager(
    page: Page, live_server: Any, tmp_path: Path
) -> None:
    org = make_org()
    somu = create_department(org, actor=SETUP, name="総務課")
    make_person(org, "suzuki", "鈴木 花子", roles=("members_and_staff",), department=somu)
    manager = make_person(
        org, "sato", "佐藤 一郎", roles=("information_security_manager",), department=somu
    )
    make_person(org, "gicho", "議長 太郎", roles=("ciso",))
    secret = activate_totp(manager)
    base = live_server.url

    _sign_in(page, base, "suzuki")
    page.goto(f"{base}/incidents/new/")
    page.get_by_label("種別").select_option(label="情報セキュリティインシデント")
    page.get_by_label("件名").fill("不審なメールの添付を開いた")
    page.get_by_label("発生した事象").fill("差出人不明のメールの添付ファイルを開いた。")
    noticed = timezone.localtime() - timedelta(minutes=3)
    page.get_by_label("認知日時").fill(noticed.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="報告する").click()
    steps = page.locator("#steps")
    expect(steps).to_contain_text("6-3(1)ア")
    expect(steps).to_contain_text("佐藤 一郎")
    expect(steps).to_contain_text("市長公室デジタルイノベーション課")
    _keep(page, tmp_path, "incident-mito.png")
    _sign_out(page)

    _sign_in(page, base, "sato", secret)
    expect(page.get_by_text("受領を記録していないインシデントの報告")).to_be_visible()
    incident = Incident.objects.get()
    page.goto(f"{base}/incidents/{incident.pk}/")
    page.get_by_role("button", name="受領を記録する").first.click()
    ciso = page.locator("#steps tr", has_text="6-3(1)イ").filter(has_text="議長 太郎")
    expect(ciso).to_contain_text("送付済み")
    expect(page.locator("#steps tr", has_text="佐藤 一郎")).to_contain_text("受領済み")
