"""The request pages: filing with a preview, the inbox, one request, verdicts, isolation.

The cast is tests/conftest.py's and tests/approvals/conftest.py's: `suzuki` staff and `sato`
情報セキュリティ管理者 of 総務課, `mori` the one of 人事課, `yamada` of another organisation.
Approvers hold an administrative role, so they sign in with TOTP set up.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from kitei.approvals.models import Request, RequestState
from kitei.core.models import ChangeRecord
from kitei.people.services import assign_role
from tests.conftest import SETUP

from ..conftest import PASSWORD, activate_totp, make_person
from .conftest import file

pytestmark = pytest.mark.django_db

# Session, account, MFA gate (about 8) plus the list's own: count, page, and the route's
# prefetches (steps, approvals) and the inbox's open steps. Constant in the list's length.
MAX_QUERIES = 16
ROW = re.compile(r'<tr>\s*<td class="nowrap"><a href="/approvals/\d+/">')
# What a take-out says besides its asset (approvals.takeout): the page's four fields.
TAKE_OUT = {
    "destination": "議会棟 第1委員会室",
    "purpose": "委員会での説明",
    "take_out_at": "2026-12-10T09:00",
    "return_on": "2026-12-11",
}


def client_for(person: Any) -> Client:
    """A client logged in as the person (the cast's shared password)."""
    client = Client()
    assert client.login(username=person.user.username, password=PASSWORD)
    return client


def _actions(org: Any) -> list[str]:
    return list(
        ChangeRecord.objects.filter(organization=org)
        .order_by("seq")
        .values_list("action", flat=True)
    )


@pytest.fixture
def manager(sato: Any) -> Any:
    """佐藤, 情報セキュリティ管理者 of 総務課 (an administrative role: TOTP)."""
    activate_totp(sato)
    return sato


@pytest.fixture
def other_manager(mori: Any) -> Any:
    activate_totp(mori)
    return mori


def _take_out(org: Any, suzuki: Any, roster: Any) -> Request:
    return file(org, suzuki, "asset.take_out", asset=roster, reason="委員会資料の作成")


# --- the form and its preview -----------------------------------------------------------


def test_form_lists_actions_in_japanese_and_preselects_the_asset(suzuki: Any, roster: Any) -> None:
    page = client_for(suzuki).get(f"/approvals/new/?asset={roster.pk}").content.decode()
    assert "情報資産・モバイル端末・電磁的記録媒体・ソフトウェアの持ち出し" in page
    assert "情報システム室の機器等の搬入出" in page  # the pack's own x. action
    assert '<option value="asset.take_out" selected>' in page
    assert f'<option value="{roster.pk}" selected>議員名簿（総務課）</option>' in page
    for flag in ("緊急時", "外部", "軽易なもの", "暗号化", "来訪者"):
        assert flag in page
    assert 'hx-post="/approvals/preview/"' in page


def test_asset_and_system_pages_link_to_the_request_form(
    suzuki: Any, roster: Any, council_system: Any
) -> None:
    client = client_for(suzuki)
    assert (
        f'href="/approvals/new/?asset={roster.pk}"'
        in client.get(f"/assets/{roster.pk}/").content.decode()
    )
    assert (
        f'href="/approvals/new/?system={council_system.pk}"'
        in client.get(f"/systems/{council_system.pk}/").content.decode()
    )


def test_preview_shows_route_obligations_and_clause_without_filing(
    mito: Any, suzuki: Any, sato: Any, roster: Any
) -> None:
    response = client_for(suzuki).post(
        "/approvals/preview/",
        {"action": "asset.take_out", "asset": roster.pk},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "承認が必要" in page
    assert "情報セキュリティ管理者" in page
    assert "佐藤 一郎" in page  # the holder for 総務課, the asset's department
    assert 'name="obligations" value="business-purpose-only"' in page
    assert "6-1(1)ウ(イ)" in page
    assert "<html" not in page  # a fragment for htmx
    assert not Request.objects.exists()


def test_preview_of_a_gap_says_it_goes_to_the_policy_office(
    suzuki: Any, council_system: Any
) -> None:
    page = (
        client_for(suzuki)
        .post("/approvals/preview/", {"action": "system.change", "system": council_system.pk})
        .content.decode()
    )
    assert "判断できません" in page
    assert "情報政策担当（組織管理者）に回付" in page


def test_a_forbidden_request_says_why_with_the_clause_and_files_nothing(
    mito: Any, suzuki: Any, roster: Any
) -> None:
    response = client_for(suzuki).post(
        "/approvals/new/",
        {"action": "device.use_non_designated", "asset": roster.pk, "reason": "自宅で作業"},
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "この操作は規程により禁止されています。" in page
    assert "3(1)" in page
    assert not Request.objects.exists()
    assert "file_request" not in _actions(mito)


def test_unconfirmed_obligations_are_refused_in_japanese(
    mito: Any, suzuki: Any, sato: Any, roster: Any
) -> None:
    response = client_for(suzuki).post(
        "/approvals/new/",
        {"action": "asset.take_out", "asset": roster.pk, "reason": "資料作成", **TAKE_OUT},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "次の遵守事項を確認してください" in page
    assert 'name="obligations" value="business-purpose-only"' in page  # the checklist again
    assert not Request.objects.exists()


def test_missing_reason_is_refused_in_japanese(suzuki: Any, roster: Any) -> None:
    response = client_for(suzuki).post(
        "/approvals/new/", {"action": "asset.take_out", "asset": roster.pk, "reason": "  "}
    )
    assert response.status_code == 400
    assert "申請理由を記入してください。" in response.content.decode()


def test_filing_routes_to_the_departments_manager(
    mito: Any, suzuki: Any, sato: Any, roster: Any
) -> None:
    client = client_for(suzuki)
    response = client.post(
        "/approvals/new/",
        {
            "action": "asset.take_out",
            "asset": roster.pk,
            "encrypted": "on",
            "reason": "委員会資料の作成",
            "obligations": ["business-purpose-only"],
            **TAKE_OUT,
        },
    )
    filed = Request.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/approvals/{filed.pk}/"
    assert (filed.state, filed.applicant, filed.context) == (
        RequestState.PENDING,
        suzuki,
        {"encrypted": True},
    )
    assert _actions(mito)[-1] == "file_request"
    page = client.get(response["Location"]).content.decode()
    # 佐藤 has no e-mail address: nobody was told, and the page says so.
    assert "申請しました。承認者（佐藤 一郎）にメールアドレスが登録されていないため" in page
    assert "通知しました" not in page
    assert "暗号化" in page
    assert "判断待ち" in page
    assert "佐藤 一郎" in page  # who can decide


def test_a_gap_is_filed_to_the_policy_office(
    mito: Any, suzuki: Any, ito: Any, council_system: Any
) -> None:
    response = client_for(suzuki).post(
        "/approvals/new/",
        {"action": "system.change", "system": council_system.pk, "reason": "設定変更"},
    )
    filed = Request.objects.get()
    assert response.status_code == 302
    assert filed.state == RequestState.GAP
    page = client_for(suzuki).get(f"/approvals/{filed.pk}/").content.decode()
    assert "情報政策担当（組織管理者）が判断します" in page
    assert "伊藤 五郎" in page


# --- inbox and lists ---------------------------------------------------------------------


def test_inbox_shows_what_waits_on_the_approver_only(
    mito: Any, suzuki: Any, manager: Any, *, other_manager: Any, roster: Any, payroll: Any
) -> None:
    ours = _take_out(mito, suzuki, roster)
    theirs = file(mito, suzuki, "asset.take_out", asset=payroll)  # 人事課's asset
    page = client_for(manager).get("/approvals/inbox/").content.decode()
    assert f'href="/approvals/{ours.pk}/"' in page
    assert f'href="/approvals/{theirs.pk}/"' not in page
    assert "鈴木 花子" in page
    other = client_for(other_manager).get("/approvals/inbox/").content.decode()
    assert f'href="/approvals/{theirs.pk}/"' in other
    assert f'href="/approvals/{ours.pk}/"' not in other
    staff = client_for(suzuki).get("/approvals/inbox/").content.decode()
    assert "承認待ちの申請はありません。" in staff
    assert (
        client_for(manager)
        .get("/approvals/inbox/count/")
        .content.decode()
        .strip()
        .endswith(">1</span>")
    )
    assert client_for(suzuki).get("/approvals/inbox/count/").content.decode().strip() == ""


def test_my_requests_lists_the_applicants_own(
    mito: Any, suzuki: Any, sato: Any, roster: Any, minutes: Any
) -> None:
    mine = _take_out(mito, suzuki, roster)
    someone_else = _take_out(mito, sato, minutes)
    page = client_for(suzuki).get("/approvals/").content.decode()
    assert f'href="/approvals/{mine.pk}/"' in page
    assert f'href="/approvals/{someone_else.pk}/"' not in page
    assert "承認待ち" in page


def test_inbox_and_list_take_a_constant_number_of_queries(
    mito: Any, suzuki: Any, manager: Any, roster: Any, django_assert_max_num_queries: Any
) -> None:
    staff, approver = client_for(suzuki), client_for(manager)
    _take_out(mito, suzuki, roster)
    staff.get("/approvals/")  # warm the pack engine's cache
    with django_assert_max_num_queries(MAX_QUERIES):
        assert approver.get("/approvals/inbox/").status_code == 200
    for _n in range(12):
        _take_out(mito, suzuki, roster)
    with django_assert_max_num_queries(MAX_QUERIES):
        inbox = approver.get("/approvals/inbox/").content.decode()
    with django_assert_max_num_queries(MAX_QUERIES):
        mine = staff.get("/approvals/").content.decode()
    assert len(ROW.findall(inbox)) == 13
    assert len(ROW.findall(mine)) == 13


# --- verdicts ----------------------------------------------------------------------------


def test_the_manager_approves_from_the_page(
    mito: Any, suzuki: Any, manager: Any, roster: Any
) -> None:
    request = _take_out(mito, suzuki, roster)
    client = client_for(manager)
    page = client.get(f"/approvals/{request.pk}/").content.decode()
    assert "承認する" in page
    assert "却下する" in page
    assert "止むを得ず申請者本人が承認する理由" not in page  # not the applicant
    response = client.post(f"/approvals/{request.pk}/approve/", {"comment": "返却を忘れずに"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED
    assert _actions(mito)[-1] == "approve_request"
    page = client.get(f"/approvals/{request.pk}/").content.decode()
    assert "承認しました。" in page
    assert "佐藤 一郎（情報セキュリティ管理者）" in page
    assert "返却を忘れずに" in page
    assert "承認する" not in page


def test_the_manager_rejects_with_a_comment(
    mito: Any, suzuki: Any, manager: Any, roster: Any
) -> None:
    request = _take_out(mito, suzuki, roster)
    response = client_for(manager).post(
        f"/approvals/{request.pk}/reject/", {"comment": "持ち出す必要がありません"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.REJECTED
    assert _actions(mito)[-1] == "reject_request"


def test_a_non_approver_is_refused_in_japanese_and_nothing_changes(
    mito: Any, suzuki: Any, sato: Any, other_manager: Any, roster: Any
) -> None:
    request = _take_out(mito, suzuki, roster)
    client = client_for(other_manager)
    page = client.get(f"/approvals/{request.pk}/").content.decode()
    assert "承認する" not in page
    response = client.post(f"/approvals/{request.pk}/approve/", {"comment": ""})
    assert response.status_code == 403
    assert "権限はこの申請の部署・情報システムに及びません" in response.content.decode()
    request.refresh_from_db()
    assert request.state == RequestState.PENDING
    assert _actions(mito)[-1] == "refused_approval"


def test_the_applicant_cannot_approve_their_own_request_by_the_page(
    mito: Any, suzuki: Any, sato: Any, roster: Any
) -> None:
    request = _take_out(mito, suzuki, roster)
    response = client_for(suzuki).post(
        f"/approvals/{request.pk}/approve/", {"override_reason": "急ぎのため"}
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.state == RequestState.PENDING
    assert not request.overridden


def test_approving_twice_is_refused_in_japanese(
    mito: Any, suzuki: Any, manager: Any, roster: Any
) -> None:
    request = _take_out(mito, suzuki, roster)
    client = client_for(manager)
    client.post(f"/approvals/{request.pk}/approve/", {})
    response = client.post(f"/approvals/{request.pk}/approve/", {})
    assert response.status_code == 400
    assert "承認済み" in response.content.decode()


def test_the_override_of_2_6_needs_a_reason_and_is_flagged(
    mito: Any, manager: Any, minutes: Any
) -> None:
    """The manager files for their own 課: only they approve; 002 2(6)ア allows it with a reason."""
    request = file(mito, manager, "asset.take_out", asset=minutes, reason="議会報の作成")
    client = client_for(manager)
    page = client.get(f"/approvals/{request.pk}/").content.decode()
    assert "止むを得ず申請者本人が承認する理由" in page
    assert "2(6)ア" in page
    refused = client.post(f"/approvals/{request.pk}/approve/", {"override_reason": ""})
    assert refused.status_code == 403
    assert "理由を記入してください" in refused.content.decode()
    done = client.post(
        f"/approvals/{request.pk}/approve/", {"override_reason": "他に承認できる者が不在のため"}
    )
    assert done.status_code == 302
    request.refresh_from_db()
    assert (request.state, request.overridden) == (RequestState.APPROVED, True)
    assert "override_separation" in _actions(mito)
    page = client.get(f"/approvals/{request.pk}/").content.decode()
    assert 'id="override"' in page
    assert "職務分離の例外" in page
    assert "他に承認できる者が不在のため" in page
    listed = client.get("/approvals/").content.decode()
    assert "職務分離の例外" in listed


def test_a_deputy_approves_and_the_page_says_for_whom(
    mito: Any, somu: Any, suzuki: Any, sato: Any, roster: Any
) -> None:
    deputy = make_person(mito, "watanabe", "渡辺 補佐", department=somu)
    assign_role(
        mito,
        actor=SETUP,
        person=deputy,
        role_id="information_security_manager",
        department=somu,
        deputy_for=sato,
    )
    activate_totp(deputy)
    request = _take_out(mito, suzuki, roster)
    client = client_for(deputy)
    assert f'href="/approvals/{request.pk}/"' in client.get("/approvals/inbox/").content.decode()
    client.post(f"/approvals/{request.pk}/approve/", {})
    page = client.get(f"/approvals/{request.pk}/").content.decode()
    assert "渡辺 補佐（情報セキュリティ管理者・佐藤 一郎の代行）" in page


def test_the_applicant_withdraws_and_nobody_else_can(
    mito: Any, suzuki: Any, manager: Any, roster: Any
) -> None:
    request = _take_out(mito, suzuki, roster)
    refused = client_for(manager).post(f"/approvals/{request.pk}/withdraw/")
    assert refused.status_code == 403
    assert "申請者本人だけが申請を取り下げられます。" in refused.content.decode()
    client = client_for(suzuki)
    assert "申請を取り下げる" in client.get(f"/approvals/{request.pk}/").content.decode()
    assert (
        "申請を取り下げる"
        not in client_for(manager).get(f"/approvals/{request.pk}/").content.decode()
    )
    assert client.post(f"/approvals/{request.pk}/withdraw/").status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN
    # A withdrawn request has no way out (REQUEST_WORKFLOW): the button is gone.
    assert "申請を取り下げる" not in client.get(f"/approvals/{request.pk}/").content.decode()


# --- isolation ---------------------------------------------------------------------------


def test_another_organisations_request_is_404_and_cannot_be_approved(
    mito: Any, suzuki: Any, sato: Any, roster: Any, yamada: Any
) -> None:
    request = _take_out(mito, suzuki, roster)
    client = client_for(yamada)
    assert client.get(f"/approvals/{request.pk}/").status_code == 404
    assert client.post(f"/approvals/{request.pk}/approve/", {}).status_code == 404
    assert client.post(f"/approvals/{request.pk}/withdraw/").status_code == 404
    assert f"/approvals/{request.pk}/" not in client.get("/approvals/inbox/").content.decode()
    request.refresh_from_db()
    assert request.state == RequestState.PENDING


def test_pages_need_a_login_and_a_member(db: None, roster: Any) -> None:
    anonymous = Client()
    for url in ("/approvals/", "/approvals/new/", "/approvals/inbox/", "/records/"):
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_home_page_shows_the_inbox_and_my_open_requests(
    mito: Any, suzuki: Any, manager: Any, roster: Any
) -> None:
    _take_out(mito, suzuki, roster)
    page = client_for(manager).get("/").content.decode()
    assert 'id="requests"' in page
    waiting = page.split('id="waiting-inbox"')[1].split("</li>", maxsplit=1)[0]
    assert '<span class="n">1</span>' in waiting
    assert 'href="/approvals/inbox/"' in waiting
    nav = client_for(suzuki).get("/").content.decode().split("</header>")[0]
    for link in ('href="/approvals/new/"', 'href="/approvals/inbox/"', 'href="/records/"'):
        assert link in nav
