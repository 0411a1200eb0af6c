"""The printable 申請書: the request, its decision with clauses, one 決裁欄 box per step.

mito: 鈴木 (staff of 総務課) asks for 管理者権限の委任 (system.delegate_admin), a route of two
steps — 情報セキュリティ責任者 (小林), then the CISO (議長). 小林 has approved; the CISO has not.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

import kitei
from kitei.approvals.models import Request

from ..conftest import PASSWORD, activate_totp
from .conftest import approve, file

pytestmark = pytest.mark.django_db


def _client(person: Any) -> Client:
    client = Client()
    assert client.login(username=person.user.username, password=PASSWORD)
    return client


@pytest.fixture
def delegation(mito: Any, suzuki: Any, kobayashi: Any, gicho: Any, council_system: Any) -> Request:
    """Two steps; the first approved by 小林 with a comment, the second (CISO) waiting."""
    request = file(
        mito, suzuki, "system.delegate_admin", system=council_system, reason="夜間の保守のため"
    )
    return approve(request, kobayashi, comment="期間を限って認めます")


def _boxes(page: str) -> list[str]:
    """The 決裁欄's rows, tags stripped, one string per row."""
    table = page.split('<table class="approval-boxes" id="approval-boxes">', 1)[1]
    table = table.split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.DOTALL)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_print_view_shows_the_request_the_decision_and_a_box_per_step(
    delegation: Request, suzuki: Any, kobayashi: Any
) -> None:
    response = _client(suzuki).get(f"/approvals/{delegation.pk}/print/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<h1 id="sheet-title">申請書' in page
    assert "水戸市議会" in page
    assert f'<dd id="sheet-number">{delegation.number}</dd>' in page
    assert '<th scope="row">申請者</th><td>鈴木 花子</td>' in page
    assert '<th scope="row">所属</th><td>総務課' in page
    assert "夜間の保守のため" in page
    assert "議会情報システム" in page
    assert '<span class="effect approval_required">承認が必要</span>' in page
    for reason in delegation.stored_decision.reasons:  # every clause and quote, as cited
        assert reason.clause in page
        assert f"「{reason.quote}」" in page
    header, roles, approvers, dates = _boxes(page)
    assert header == "第1段階 第2段階"
    assert roles == "役割 情報セキュリティ責任者 最高情報セキュリティ責任者"
    approval = delegation.steps.get(position=1).approvals.get()
    # The CISO's box is left empty for the eye, and says so to a screen reader.
    assert approvers == "承認者 承認 小林 局長 判断待ち"
    day = timezone.localtime(approval.at).date()  # Asia/Tokyo, printed in 和暦
    assert dates == f"日付 令和{day.year - 2018}年{day.month}月{day.day}日"
    assert "小林 局長: 期間を限って認めます" in page
    assert 'href="/static/kitei/print.css"' in page


def test_request_page_links_to_its_print_view(delegation: Request, suzuki: Any) -> None:
    page = _client(suzuki).get(f"/approvals/{delegation.pk}/").content.decode()
    assert f'<a href="/approvals/{delegation.pk}/print/" id="print-link">印刷用の表示</a>' in page


def test_print_view_is_checked_like_the_request_page(
    delegation: Request, yamada: Any, client: Client
) -> None:
    assert _client(yamada).get(f"/approvals/{delegation.pk}/print/").status_code == 404
    response = client.get(f"/approvals/{delegation.pk}/print/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert _client(yamada).post(f"/approvals/{delegation.pk}/print/").status_code == 405


def test_a_request_without_route_prints_that_none_is_needed(mito: Any, suzuki: Any) -> None:
    request = file(mito, suzuki, "equipment.procure")  # permitted
    page = _client(suzuki).get(f"/approvals/{request.pk}/print/").content.decode()
    assert request.steps.count() == 0
    assert "approval-boxes" not in page
    assert "承認は不要です。" in page


def test_the_print_stylesheet_is_a4_portrait_without_the_navigation() -> None:
    css = (Path(kitei.__file__).parent / "static" / "kitei" / "print.css").read_text()
    assert re.search(r"@page\s*{\s*size:\s*A4 portrait;\s*margin:", css)
    printed = css.split("@media print", 1)[1]
    assert "header.top, .screen-only, .messages { display: none !important; }" in printed


def test_an_approver_prints_the_request_too(delegation: Request, kobayashi: Any) -> None:
    activate_totp(kobayashi)  # an administrative role: TOTP before any page
    assert _client(kobayashi).get(f"/approvals/{delegation.pk}/print/").status_code == 200


def test_a_take_out_sheet_says_where_why_and_when(
    mito: Any, suzuki: Any, roster: Any, *, delegation: Request
) -> None:
    request = file(mito, suzuki, "asset.take_out", asset=roster)
    page = _client(suzuki).get(f"/approvals/{request.pk}/print/").content.decode()
    local = timezone.localtime(request.planned_take_out_at)
    out = f"令和{local.year - 2018}年{local.month}月{local.day}日 {local:%H:%M}"  # 和暦
    assert f'<dd id="sheet-number">{request.number}</dd>' in page
    assert '<th scope="row">持出先</th><td>市民会館</td>' in page
    assert '<th scope="row">目的</th><td>会議資料の説明</td>' in page
    assert f'<th scope="row">持出予定日時</th><td>{out}</td>' in page
    due = request.planned_return_on
    back = f"令和{due.year - 2018}年{due.month}月{due.day}日"
    assert f'<th scope="row">返却予定日</th><td>{back}</td>' in page
    # another action's sheet has no take-out rows
    other = _client(suzuki).get(f"/approvals/{delegation.pk}/print/").content.decode()
    assert "持出予定日時" not in other
