"""In a real browser: axe-core finds no WCAG 2.1 A/AA violation on kitei's main pages.

JIS X 8341-3:2016 adopts WCAG 2.0 (A/AA) as it is; kitei checks WCAG 2.1 A/AA, which
includes it. axe-core comes with the PyPI package `axe-playwright-python` (installed with
the dev extras, never copied into the repository); it is evaluated in the page through the
DevTools protocol, which the page's Content-Security-Policy does not govern, and the
`page` fixture still fails a test during which the policy blocked anything.

The cast is 水戸市議会's: `suzuki` staff of 総務課 (a member), `sato` its
情報セキュリティ管理者, `ito` the organisation administrator; a 持ち出し request of suzuki's
that sato approved, so the request page shows a route with a verdict and ticked duties.
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from kitei.assets.services import register_asset
from kitei.people.services import create_department
from kitei.systems.services import register_system
from tests.conftest import SETUP

from ..accounts.otp import totp_code
from ..conftest import PASSWORD, activate_totp, approve_as, file_request_as, make_org, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# WCAG 2.0 and 2.1, levels A and AA (axe-core's tags); JIS X 8341-3 asks for AA.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}


# ARIA references to ids the page lacks (axe-core accepts one good id among several).
DANGLING = """() => [...document.querySelectorAll("[aria-describedby], [aria-labelledby]")]
  .flatMap(e => ["aria-describedby", "aria-labelledby"].flatMap(a =>
    (e.getAttribute(a) || "").split(/\\s+/)
      .filter(id => id && !document.getElementById(id)).map(id => `${a}=${id}`)))"""


def _violations(page: Page) -> list[str]:
    """axe-core's violations on the page as it stands, one line per rule and element."""
    page.wait_for_load_state("networkidle")  # htmx fragments (badge, preview) are in
    response = Axe().run(page, options=AXE_OPTIONS).response
    found = [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — {node['target']}"
        for v in response["violations"]
        for node in v["nodes"]
    ]
    return found + [f"{page.url}: dangling {ref}" for ref in page.evaluate(DANGLING)]


def _sign_in(page: Page, base: str, username: str, secret: str = "") -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    if secret:
        page.get_by_label("認証コード").fill(totp_code(secret))
        page.get_by_role("button", name="確認してログイン").click()
    expect(page).to_have_url(f"{base}/")


def _cast() -> dict[str, Any]:
    """水戸市議会 with a member, an approver, an administrator, an asset, a system, a request."""
    org = make_org()
    somu = create_department(org, actor=SETUP, name="総務課")
    staff = make_person(org, "suzuki", "鈴木 花子", roles=("members_and_staff",), department=somu)
    manager = make_person(
        org, "sato", "佐藤 一郎", roles=("information_security_manager",), department=somu
    )
    admin = make_person(org, "ito", "伊藤 五郎", department=somu, is_org_admin=True)
    laptop = register_asset(
        org,
        actor=SETUP,
        name="議会用ノートパソコン",
        department=somu,
        form="electronic",
        classification={"機密性": "2", "完全性": "2", "可用性": "2"},
        storage_location="総務課 施錠キャビネット",
    )
    system = register_system(org, actor=SETUP, name="議会情報システム", department=somu)
    request = file_request_as(org, staff, "asset.take_out", asset=laptop, reason="委員会資料")
    approve_as(request, manager, comment="返却を忘れずに")
    return {
        "staff": staff,
        "admin": admin,
        "admin_secret": activate_totp(admin),
        "laptop": laptop,
        "system": system,
        "request": request,
    }


def _walk(page: Page, base: str, paths: list[str]) -> list[str]:
    found: list[str] = []
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response is not None
        assert response.status == 200, path
        found += _violations(page)
    return found


def test_no_wcag_violation_on_the_main_pages(live_server: Any, page: Page) -> None:
    cast = _cast()
    base = live_server.url
    asset, system, request = cast["laptop"].pk, cast["system"].pk, cast["request"].pk

    page.goto(f"{base}/accounts/login/")
    found = _violations(page)

    _sign_in(page, base, "suzuki")
    found += _walk(
        page,
        base,
        [
            "/",
            "/assets/",
            f"/assets/{asset}/",
            "/systems/",
            f"/systems/{system}/",
            f"/approvals/new/?asset={asset}",
            f"/approvals/{request}/",
            f"/approvals/{request}/print/",
            "/approvals/",
            "/approvals/inbox/",
            "/records/",
        ],
    )
    # The request form after a submission with errors: the summary, the marked fields.
    page.goto(f"{base}/approvals/new/")
    page.get_by_role("button", name="申請する").click()
    expect(page.locator(".error-summary")).to_be_focused()
    found += _violations(page)
    page.get_by_role("button", name="ログアウト").click()

    _sign_in(page, base, "ito", cast["admin_secret"])
    found += _walk(
        page,
        base,
        [
            "/",
            "/assets/",
            "/assets/add/",
            f"/assets/{asset}/edit/",
            "/systems/",
            "/systems/add/",
            "/approvals/inbox/",
            "/records/",
            "/records/x.take-out/",
            "/people/",
            f"/people/{cast['staff'].pk}/",
            "/people/add/",
            "/audit/",
        ],
    )
    page.goto(f"{base}/assets/add/")
    page.get_by_role("button", name="登録する").click()
    expect(page.locator(".error-summary")).to_be_focused()
    page.get_by_role("link", name="名称: ").click()  # the summary's link takes the focus there
    expect(page.get_by_label("名称")).to_be_focused()
    found += _violations(page)

    assert found == [], "\n".join(found)


def test_people_filter_and_request_form_fit_a_320_pixel_screen(
    live_server: Any, page: Page
) -> None:
    """WCAG 1.4.10 (reflow): at 320 CSS pixels these pages scroll only vertically."""
    cast = _cast()
    _sign_in(page, live_server.url, "ito", cast["admin_secret"])
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/people/")
    role = page.get_by_label("役割")
    expect(role).to_be_visible()
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"scrolls sideways: {widths}"
    box = role.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 320
    page.goto(f"{live_server.url}/approvals/new/")  # the circumstances' checkboxes wrap too
    expect(page.get_by_label("来訪者")).to_be_visible()
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the request form scrolls sideways: {widths}"


def test_axe_core_runs_and_reports_what_it_finds(live_server: Any, page: Page) -> None:
    """The harness itself: a page spoilt on purpose is reported (no silent green)."""
    make_org()
    page.goto(f"{live_server.url}/accounts/login/")
    assert _violations(page) == []
    page.evaluate(
        """() => { document.documentElement.removeAttribute("lang");
                   document.getElementById("id_login")
                     .setAttribute("aria-describedby", "nowhere"); }"""
    )
    found = "\n".join(_violations(page))
    assert "html-has-lang" in found
    assert "dangling aria-describedby=nowhere" in found
