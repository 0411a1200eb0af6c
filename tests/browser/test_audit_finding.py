"""In a real browser: the owner works a finding's corrective action to completion with
evidence, the auditor verifies it and closes the finding (issue 14)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from kitei.audits import findings, services
from kitei.audits.choices import FindingState
from kitei.audits.models import Finding
from kitei.people.services import create_department

from ..accounts.otp import totp_code
from ..conftest import PDF, SETUP, activate_totp, make_org, make_person
from .test_login import _keep, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, username: str, secret: str) -> None:
    _sign_in(page, base, username)
    page.get_by_label("認証コード").fill(totp_code(secret))
    page.get_by_role("button", name="確認してログイン").click()
    expect(page.locator("#waiting")).to_be_visible()


def test_the_owner_closes_the_action_with_evidence_and_the_auditor_verifies(
    live_server: Any, page: Page, evidence_dir: Path, tmp_path: Path
) -> None:
    mito = make_org()
    somu = create_department(mito, actor=SETUP, name="総務課")
    sato = make_person(
        mito, "sato", "佐藤 一郎", roles=("information_security_manager",), department=somu
    )
    tanaka = make_person(mito, "tanaka", "田中 次郎", roles=("audit_lead",))
    owner_secret, auditor_secret = activate_totp(sato), activate_totp(tanaka)
    audit = services.plan_audit(
        services.create_programme(mito, actor=SETUP, fiscal_year=2026),
        actor=SETUP,
        title="総務課の監査",
        kind="internal",
        departments=[somu],
    )
    services.appoint_auditor(audit, tanaka, actor=SETUP, is_lead=True)
    finding = findings.raise_finding(
        audit, actor=tanaka.user, kind="minor", title="パスワードの掲示", department=somu
    )
    (action,) = findings.submit_plan(
        finding, actor=sato.user, root_cause="周知不足", plan="撤去と周知", actions=[("撤去", None)]
    )
    certificate = tmp_path / "撤去写真.pdf"
    certificate.write_bytes(PDF)

    _login(page, live_server.url, "sato", owner_secret)
    page.goto(f"{live_server.url}/corrective/{action.pk}/")
    page.get_by_label("進捗の内容").fill("付箋を撤去した")
    page.get_by_role("button", name="記録する").click()
    expect(page.locator("#progress")).to_contain_text("付箋を撤去した")
    page.locator("#id_file").set_input_files(str(certificate))
    page.get_by_label("証拠の日付").fill("2026-12-01")
    page.get_by_role("button", name="添付する").click()
    expect(page.locator("#evidence")).to_contain_text("撤去写真.pdf")
    page.get_by_role("button", name="完了を報告する").click()
    expect(page.locator("dl.meta")).to_contain_text("完了報告")
    expect(page.locator("#verify")).to_have_count(0)  # never the owner

    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_label("ユーザー名")).to_be_visible()
    _login(page, live_server.url, "tanaka", auditor_secret)
    page.goto(f"{live_server.url}/corrective/{action.pk}/")
    page.get_by_label("確認済とする").check()
    page.get_by_label("有効性の確認").fill("再訪問で掲示なし")
    page.get_by_role("button", name="確認結果を記録する").click()
    expect(page.locator("dl.meta")).to_contain_text("確認済")
    page.goto(f"{live_server.url}/audits/findings/{finding.pk}/")
    page.get_by_role("button", name="クローズする").click()
    expect(page.locator("dl.meta")).to_contain_text("クローズ")
    _keep(page, tmp_path, "finding-closed-mito.png")
    page.goto(f"{live_server.url}/audits/{audit.pk}/")
    expect(page.locator("#auditors")).to_contain_text("適合")
    _keep(page, tmp_path, "audit-detail-mito.png")
    assert Finding.objects.get(pk=finding.pk).state == FindingState.CLOSED
