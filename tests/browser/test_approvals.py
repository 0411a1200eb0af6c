"""In a real browser: a 持ち出し request with its dates, filed, approved from the inbox, returned.

mito-city-council: 鈴木 (議員及び職員 of 総務課) asks to take out an asset of 総務課, saying
where to, what for, from when and until when (a return before the take-out is refused);
佐藤, the 情報セキュリティ管理者 of 総務課, signs in with TOTP, sees the destination and
dates in the inbox and on the request, and approves it; 鈴木 records the take-out, which the
持出記録 fills from the approved request, and its return, where the entry shows as returned.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from kitei.approvals.models import Request, RequestState
from kitei.assets.services import register_asset
from kitei.people.services import create_department
from kitei.records.models import RecordEntry
from tests.conftest import SETUP

from ..accounts.otp import totp_code
from ..conftest import PASSWORD, activate_totp, first_number, make_org, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, base: str, username: str, secret: str | None = None) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    if secret is not None:
        page.get_by_label("認証コード").fill(totp_code(secret))
        page.get_by_role("button", name="確認してログイン").click()
    expect(page).to_have_url(f"{base}/")


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_role("button", name="ログイン")).to_be_visible()


def _keep(page: Page, tmp_path: Path, name: str) -> None:
    """Screenshot the page; with KITEI_SCREENSHOTS_DIR set (make screenshots), keep it there."""
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    if target := os.environ.get("KITEI_SCREENSHOTS_DIR"):
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, Path(target) / name)


def _cast() -> tuple[Any, Any, str, Any]:
    """水戸市議会: staff and the 情報セキュリティ管理者 (with TOTP) of 総務課, and its laptop."""
    org = make_org()
    somu = create_department(org, actor=SETUP, name="総務課")
    create_department(org, actor=SETUP, name="議事課")
    staff = make_person(org, "suzuki", "鈴木 花子", roles=("members_and_staff",), department=somu)
    manager = make_person(
        org, "sato", "佐藤 一郎", roles=("information_security_manager",), department=somu
    )
    secret = activate_totp(manager)
    laptop = register_asset(
        org,
        actor=SETUP,
        name="議会用ノートパソコン",
        department=somu,
        form="electronic",
        classification={"機密性": "2", "完全性": "2", "可用性": "2"},
        storage_location="総務課 施錠キャビネット",
    )
    return staff, manager, secret, laptop


OUT_DAY = timezone.localdate() + timedelta(days=1)
BACK_DAY = OUT_DAY + timedelta(days=2)


def _choose_again(page: Page, preview: Any) -> None:
    """The asset chooser: cleared, then found again by part of its name (htmx, no <select>)."""
    choices = page.locator("#asset-choices")
    laptop = choices.get_by_label(re.compile("議会用ノートパソコン（総務課）"))
    expect(laptop).to_be_checked()  # chosen from the asset's page
    with page.expect_response(re.compile(r"/approvals/preview/$")):
        choices.get_by_label("指定しない").check()
    with page.expect_response(re.compile(r"/approvals/choose/asset/")):
        page.get_by_role("searchbox", name="対象の情報資産").fill("ノート")
    expect(laptop).not_to_be_checked()
    with page.expect_response(re.compile(r"/approvals/preview/$")):
        laptop.check()
    expect(preview.locator(".effect")).to_have_text("承認が必要")
    expect(preview).to_contain_text("情報セキュリティ管理者（佐藤 一郎）")


def _file_take_out(page: Page, base: str, laptop: Any) -> None:
    """鈴木 asks from the asset's page; the preview shows the route and the checklist."""
    page.goto(f"{base}/assets/{laptop.pk}/")
    page.get_by_role("link", name="申請する").click()
    expect(page.locator("h1")).to_have_text("申請")
    expect(page.get_by_label("操作")).to_have_value("asset.take_out")
    preview = page.locator("#preview")
    expect(preview.locator(".effect")).to_have_text("承認が必要")  # htmx, on load
    expect(preview).to_contain_text("情報セキュリティ管理者（佐藤 一郎）")
    expect(preview).to_contain_text("6-1(1)ウ(イ)")
    take_out = page.locator("#take-out")
    expect(take_out).to_be_visible()  # a take-out: where, why, when (CSS :has, no script)
    _choose_again(page, preview)
    with page.expect_response(re.compile(r"/approvals/preview/$")):
        page.get_by_label("操作").select_option("asset.dispose")
    expect(take_out).to_be_hidden()
    with page.expect_response(re.compile(r"/approvals/preview/$")):
        page.get_by_label("操作").select_option("asset.take_out")
    expect(take_out).to_be_visible()
    with page.expect_response(re.compile(r"/approvals/preview/$")):
        page.get_by_label("暗号化").check()  # htmx asks again; the route stays the same
    expect(preview.locator(".effect")).to_have_text("承認が必要")
    page.wait_for_load_state("networkidle")  # the swap is done before the checklist is ticked
    page.get_by_label("業務以外の目的で情報資産を外部へ持ち出さないこと").check()
    page.get_by_label("持出先", exact=True).fill("議会棟 第1委員会室")
    page.get_by_label("目的", exact=True).fill("常任委員会での資料説明")
    page.get_by_label("持出予定日時", exact=True).fill(f"{OUT_DAY.isoformat()}T09:30")
    page.get_by_label("返却予定日", exact=True).fill((OUT_DAY - timedelta(days=1)).isoformat())
    page.get_by_label("申請理由").fill("委員会資料の作成のため、委員会室で使用する")
    page.get_by_role("button", name="申請する").click()
    expect(page.locator("#take-out")).to_contain_text("より前です")  # refused, nothing filed
    page.get_by_label("業務以外の目的で情報資産を外部へ持ち出さないこと").check()
    page.get_by_label("返却予定日", exact=True).fill(BACK_DAY.isoformat())
    page.get_by_role("button", name="申請する").click()
    # Nobody in this cast has an e-mail address: the page says who was not told.
    expect(page.locator(".messages")).to_contain_text(
        "申請しました。承認者（佐藤 一郎）にメールアドレスが登録されていないため、"
        "通知できませんでした。"
    )
    expect(page.locator("#state")).to_have_text("承認待ち")
    expect(page.locator("#number")).to_contain_text(first_number())  # R8-0001
    expect(page.locator("#return-on")).to_have_text(BACK_DAY.isoformat())


def _approve_from_inbox(page: Page, base: str, tmp_path: Path) -> None:
    """佐藤 sees the badge, opens the inbox, and approves with a comment."""
    inbox_link = page.locator("header nav a.inbox")
    expect(inbox_link.locator(".badge.count")).to_have_text("1")
    inbox_link.click()
    expect(page.locator("h1")).to_contain_text("承認待ち")
    rows = page.locator("#requests tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("鈴木 花子")
    expect(rows.first).to_contain_text("議会用ノートパソコン")
    # what the approver decides on: where, and from when until when
    expect(rows.first).to_contain_text("持出先: 議会棟 第1委員会室")
    expect(rows.first).to_contain_text(f"{OUT_DAY.isoformat()} 09:30 〜 {BACK_DAY.isoformat()}")
    _keep(page, tmp_path, "inbox-mito.png")
    rows.first.get_by_role("link", name=re.compile("持ち出し")).click()
    expect(page.locator("#route")).to_contain_text("判断待ち")
    expect(page.locator("#destination")).to_have_text("議会棟 第1委員会室")
    expect(page.locator("#purpose")).to_have_text("常任委員会での資料説明")
    expect(page.locator("#take-out-at")).to_have_text(f"{OUT_DAY.isoformat()} 09:30")
    page.get_by_label("コメント").fill("使用後は速やかに返却してください。")
    page.get_by_role("button", name="承認する").click()
    expect(page.locator(".messages")).to_contain_text("承認しました。")
    expect(page.locator("#state")).to_have_text("承認済み")
    expect(page.locator("#route")).to_contain_text("佐藤 一郎（情報セキュリティ管理者）")


def _record_and_return(page: Page, base: str) -> None:
    """鈴木 records the take-out from the request (filled from it), then its return."""
    page.get_by_role("link", name="申請", exact=True).first.click()
    page.get_by_role("link", name="自分の申請").first.click()
    page.locator("#requests tbody tr").first.get_by_role(
        "link", name=re.compile("持ち出し")
    ).click()
    page.get_by_role("link", name="持出しを記録").click()
    # the approved request fills the entry: nothing is typed again
    expect(page.get_by_label("持ち出す情報資産等")).to_have_value("議会用ノートパソコン")
    expect(page.get_by_label("持出先")).to_have_value("議会棟 第1委員会室")
    expect(page.get_by_label("持出しの目的")).to_have_value("常任委員会での資料説明")
    expect(page.get_by_label("持出日時")).to_have_value(f"{OUT_DAY.isoformat()}T09:30")
    expect(page.get_by_label("返却予定日")).to_have_value(BACK_DAY.isoformat())
    page.get_by_role("button", name="記録する").click()
    expect(page.locator("h1")).to_have_text("持出記録（返却管理）")
    entry = page.locator("#entries tbody tr").first
    expect(entry).to_contain_text("返却待ち")
    expect(entry).to_contain_text(first_number())
    entry.get_by_role("button", name="返却を記録").click()
    expect(page.locator(".messages")).to_contain_text("返却を記録しました。")
    entry = page.locator("#entries tbody tr").first
    expect(entry).to_contain_text("議会用ノートパソコン")
    expect(entry).to_contain_text("議会棟 第1委員会室")
    expect(entry).to_contain_text(BACK_DAY.isoformat())
    expect(entry).to_contain_text("返却済み")
    expect(entry).to_contain_text("鈴木 花子")


def test_take_out_filed_approved_from_the_inbox_and_returned_screenshot(
    live_server: Any, page: Page, tmp_path: Path
) -> None:
    staff, manager, secret, laptop = _cast()
    base = live_server.url

    _sign_in(page, base, staff.user.username)
    _file_take_out(page, base, laptop)
    _sign_out(page)

    _sign_in(page, base, manager.user.username, secret)
    _approve_from_inbox(page, base, tmp_path)
    _sign_out(page)

    _sign_in(page, base, staff.user.username)
    _record_and_return(page, base)
    page.wait_for_load_state("networkidle")  # the badge's request, before the test reads

    request = Request.objects.get()
    entry = RecordEntry.objects.get()
    assert request.state == RequestState.COMPLETED
    assert (entry.book, entry.request_id, entry.closed_by_id) == (
        "x.take-out",
        request.pk,
        staff.pk,
    )
    assert (request.destination, request.planned_return_on) == ("議会棟 第1委員会室", BACK_DAY)
    assert (entry.fields["destination"], entry.due_on) == ("議会棟 第1委員会室", BACK_DAY)

    # The printable 申請書 of the completed request, as the printer sees it (A4, no navigation).
    page.goto(f"{base}/approvals/{request.pk}/print/")
    page.emulate_media(media="print")
    expect(page.locator("body")).to_contain_text("決裁")
    expect(page.locator("body")).to_contain_text(first_number())
    expect(page.locator("nav")).to_be_hidden()
    _keep(page, tmp_path, "request-print-mito.png")
