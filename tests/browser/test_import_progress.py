"""Browser: a long import waits for the worker; its page follows it by htmx to the result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kitei.assets.models import Asset
from kitei.cli import main
from kitei.people.services import create_department
from kitei.systems.services import register_system
from tests.conftest import SETUP

from ..conftest import activate_totp, make_org, make_person
from .test_login import _keep
from .test_register_import import ROWS, _check, _sign_in_with_totp, _xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VALID = [*ROWS[:2], ["請願書綴り", "議事課", "", "機密性2", "完全性1", "可用性1", "紙", ""]]


def test_the_progress_page_follows_the_import_to_its_end(
    live_server: Any, page: Page, tmp_path: Path, settings: Any
) -> None:
    settings.IMPORT_TASK_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    org = make_org()
    somu = create_department(org, actor=SETUP, name="総務課")
    create_department(org, actor=SETUP, name="議事課")
    admin = make_person(org, "mito-admin", "伊藤 五郎", department=somu, is_org_admin=True)
    register_system(org, actor=SETUP, name="議会情報システム", department=somu)
    _sign_in_with_totp(page, live_server.url, "mito-admin", activate_totp(admin))

    page.goto(f"{live_server.url}/assets/import/")
    _check(page, _xlsx(tmp_path / "台帳.xlsx", VALID))
    expect(page.locator("#import-ready")).to_contain_text(
        "2 行を超えるため、バックグラウンドで取り込みます。"
    )
    # The live server shares this test's database connection: a poll must not reach it
    # while the worker below writes. Routed requests wait until this thread calls the
    # browser again, so polls sent meanwhile are held, not lost.
    page.route("**/imports/**", lambda route: route.continue_())
    page.get_by_role("button", name="取り込む", exact=True).click()
    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("順番を待っています")
    with page.expect_response(lambda r: "/imports/" in r.url and "hx-request" in r.request.headers):
        pass  # one poll answered (still waiting); the next comes two seconds later
    expect(progress).to_contain_text("順番を待っています")
    assert Asset.objects.count() == 0
    url = page.url

    assert main(["worker", "--once"]) == 0

    expect(progress).to_contain_text(
        "取り込みました: 情報資産: 追加 3 件、変更 0 件、変更なし 0 件"
    )  # by htmx, no reload
    assert page.url == url
    expect(page.get_by_role("link", name="情報資産台帳を見る")).to_be_visible()
    _keep(page, tmp_path, "import-progress.png")
    assert Asset.objects.count() == 3
