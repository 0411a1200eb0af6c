"""In a real browser: the CISO opens the fiscal-year calendar and completes the annual audit
with its report as evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kitei.duties.models import DutyOccurrence

from ..accounts.otp import totp_code
from ..conftest import PDF, SETUP, activate_totp, make_org, make_person
from .test_login import _keep, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_ciso_opens_the_calendar_and_completes_the_annual_audit(
    live_server: Any, page: Page, tmp_path: Path, evidence_dir: Path
) -> None:
    from kitei.people.services import create_department  # noqa: PLC0415
    from kitei.systems.services import register_system  # noqa: PLC0415

    mito = make_org()
    somu = create_department(mito, actor=SETUP, name="議会事務局総務課")
    register_system(mito, actor=SETUP, name="議会情報システム", department=somu)
    ciso = make_person(mito, "gicho", "議長 太郎", roles=("ciso",))
    secret = activate_totp(ciso)
    _sign_in(page, live_server.url, "gicho")
    page.get_by_label("認証コード").fill(totp_code(secret))
    page.get_by_role("button", name="確認してログイン").click()
    page.get_by_role("link", name="年度の義務").first.click()
    expect(page.locator("h1")).to_contain_text("令和8年度の義務")
    unset = page.locator("#calendar tr", has_text="取得したログの点検又は分析")
    expect(unset).to_contain_text("間隔未設定（定期的）")
    expect(unset).to_contain_text("取得したログを定期的に点検又は分析する機能を設け")
    page.set_viewport_size({"width": 1280, "height": 900})
    _keep(page, tmp_path, "calendar-mito.png")
    audit = page.locator("#calendar tr", has_text="情報セキュリティ監査（毎年度）")
    expect(audit).to_contain_text("令和9年3月31日")
    audit.get_by_role("link", name="完了を記録").click()
    expect(page.locator("h1")).to_have_text("義務の完了の記録")
    page.get_by_label("実施内容").fill("監査法人による情報セキュリティ監査を実施")
    pdf = tmp_path / "監査報告書.pdf"
    pdf.write_bytes(PDF)
    page.get_by_label("ファイル").set_input_files(str(pdf))
    page.get_by_role("button", name="完了を記録する").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text(
        "義務の完了を記録しました。"
    )
    done = page.locator("#calendar tr", has_text="情報セキュリティ監査（毎年度）")
    expect(done).to_contain_text("完了")
    expect(done).to_contain_text("議長 太郎")
    row = DutyOccurrence.objects.get()
    assert (row.duty, row.completed_by.name) == ("annual-audit", "議長 太郎")


def test_no_wcag_violation_on_the_duties_pages(live_server: Any, page: Page) -> None:
    from .test_accessibility import _violations  # noqa: PLC0415 - the shared axe-core run

    mito = make_org()
    admin = make_person(mito, "ito", "伊藤 五郎", is_org_admin=True)
    secret = activate_totp(admin)
    _sign_in(page, live_server.url, "ito")
    page.get_by_label("認証コード").fill(totp_code(secret))
    page.get_by_role("button", name="確認してログイン").click()
    found: list[str] = []
    for path in ("/duties/?year=2026", "/duties/settings/", "/duties/training/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.status == 200, path
        found += _violations(page)
    # The settings form after a submission with errors: the summary takes the focus.
    page.goto(f"{live_server.url}/duties/settings/")
    page.get_by_role("button", name="記録する").click()
    expect(page.locator(".error-summary")).to_be_focused()
    found += _violations(page)
    assert found == [], "\n".join(found)
