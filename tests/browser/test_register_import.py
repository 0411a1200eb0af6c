"""Browser: an administrator imports an .xlsx 情報資産台帳 with a bad row, then fixes it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from kitei.assets.models import Asset
from kitei.people.services import create_department
from kitei.systems.services import register_system
from tests.conftest import SETUP

from ..accounts.otp import totp_code
from ..conftest import PASSWORD, activate_totp, make_org, make_person
from .test_login import _keep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADINGS = ["名称", "所管部署", "管理責任者", "機密性", "完全性", "可用性", "形態", "関連システム"]
ROWS = [
    ["議員名簿", "総務課", "伊藤 五郎", "機密性3B", "完全性2", "可用性1", "電磁的記録",
     "議会情報システム"],
    ["会議録（原本）", "議事課", "", "機密性1", "完全性2", "可用性2", "紙", ""],
    ["請願書綴り", "議事課", "", "機密性9", "完全性1", "可用性1", "紙", ""],
]  # fmt: skip


def _xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "情報資産台帳"
    for row in [HEADINGS, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def _sign_in_with_totp(page: Page, base: str, username: str, secret: str) -> None:
    page.goto(f"{base}/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", name="二要素認証")).to_be_visible()
    page.get_by_label("認証コード").fill(totp_code(secret))
    page.get_by_role("button", name="確認してログイン").click()
    expect(page).to_have_url(f"{base}/")


def _check(page: Page, file: Path) -> None:
    page.get_by_label("ファイル（.xlsx または CSV）").set_input_files(str(file))
    page.get_by_role("button", name="確認する（書き込みません）").click()


def test_import_with_a_bad_row_then_the_corrected_file(
    live_server: Any, page: Page, tmp_path: Path
) -> None:
    org = make_org()
    somu = create_department(org, actor=SETUP, name="総務課")
    create_department(org, actor=SETUP, name="議事課")
    admin = make_person(org, "mito-admin", "伊藤 五郎", department=somu, is_org_admin=True)
    register_system(org, actor=SETUP, name="議会情報システム", department=somu)
    secret = activate_totp(admin)
    _sign_in_with_totp(page, live_server.url, "mito-admin", secret)

    page.goto(f"{live_server.url}/assets/import/")
    expect(page.get_by_role("heading", name="情報資産台帳の取り込みと書き出し")).to_be_visible()
    _check(page, _xlsx(tmp_path / "台帳.xlsx", ROWS))
    errors = page.locator("#import-errors")
    expect(errors.get_by_role("heading")).to_have_text(
        "誤りが 1 件あります。何も取り込んでいません。"
    )
    row = errors.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(
        ["4", "機密性", "機密性の区分「機密性9」はありません（1・2・3C・3B・3A）。"]
    )
    expect(page.get_by_role("button", name="取り込む", exact=True)).to_have_count(0)
    _keep(page, tmp_path, "asset-import-errors.png")
    assert Asset.objects.count() == 0

    corrected = [*ROWS[:2], ["請願書綴り", "議事課", "", "機密性2", "完全性1", "可用性1", "紙", ""]]
    _check(page, _xlsx(tmp_path / "台帳（修正）.xlsx", corrected))
    expect(page.locator("#import-ready")).to_contain_text(
        "「台帳（修正）.xlsx」に誤りはありません。取り込める内容: "
        "情報資産: 追加 3 件、変更 0 件、変更なし 0 件"
    )
    page.get_by_role("button", name="取り込む", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/assets/")
    expect(
        page.get_by_text("取り込みました: 情報資産: 追加 3 件、変更 0 件、変更なし 0 件")
    ).to_be_visible()
    for name in ("議員名簿", "会議録（原本）", "請願書綴り"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert Asset.objects.count() == 3


def test_round_trip_through_an_edited_workbook(
    live_server: Any, page: Page, tmp_path: Path
) -> None:
    """Export the register, edit three cells and add two rows in the workbook, import it back."""
    org = make_org()
    somu = create_department(org, actor=SETUP, name="総務課")
    create_department(org, actor=SETUP, name="議事課")
    admin = make_person(org, "mito-admin", "伊藤 五郎", department=somu, is_org_admin=True)
    register_system(org, actor=SETUP, name="議会情報システム", department=somu)
    secret = activate_totp(admin)
    _sign_in_with_totp(page, live_server.url, "mito-admin", secret)
    page.goto(f"{live_server.url}/assets/import/")
    _check(page, _xlsx(tmp_path / "台帳.xlsx", ROWS[:2]))
    page.get_by_role("button", name="取り込む", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/assets/")

    page.goto(f"{live_server.url}/assets/import/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel（.xlsx）で書き出す").click()
    exported = tmp_path / "書き出し.xlsx"
    download.value.save_as(exported)
    book = openpyxl.load_workbook(exported)
    sheet = book.active
    assert sheet is not None
    headings = [cell.value for cell in sheet[1]]
    assert headings[0] == "台帳番号"
    column = {name: i + 1 for i, name in enumerate(headings)}
    rows = {sheet.cell(row=r, column=column["名称"]).value: r for r in range(2, sheet.max_row + 1)}
    minutes = rows["会議録（原本）"]
    sheet.cell(row=rows["議員名簿"], column=column["機密性"]).value = "機密性3A"
    sheet.cell(row=minutes, column=column["名称"]).value = "会議録（原本・令和8年）"
    sheet.cell(row=minutes, column=column["所管部署"]).value = "総務課"
    for name in ("請願書綴り", "陳情書綴り"):
        values = {"名称": name, "所管部署": "議事課", "機密性": "機密性2", "完全性": "完全性1",
                  "可用性": "可用性1", "形態": "紙"}  # fmt: skip
        sheet.append([values.get(str(heading), "") for heading in headings])
    edited = tmp_path / "台帳（編集）.xlsx"
    book.save(edited)

    _check(page, edited)
    ready = page.locator("#import-ready")
    expect(ready).to_contain_text("追加: 2 件")
    expect(ready).to_contain_text("変更: 2 件")
    expect(ready).to_contain_text("会議録（原本・令和8年）")
    assert Asset.objects.count() == 2  # the dry run wrote nothing
    page.get_by_role("button", name="取り込む", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/assets/")
    assert Asset.objects.count() == 4
    roll = Asset.objects.get(name="議員名簿")
    assert roll.classification["confidentiality"] == "3A"
    renamed = Asset.objects.get(name="会議録（原本・令和8年）")
    assert renamed.department.name == "総務課"
    _keep(page, tmp_path, "asset-round-trip.png")
