"""The audit trail page (/audit/): records in words, filters, keyset pages, object links."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kitei.assets.services import classify_asset, register_asset
from kitei.core import audit_queries
from kitei.core.models import ChangeRecord
from kitei.people.memberships import add_membership
from kitei.people.services import create_department
from tests.conftest import PASSWORD, SETUP, file_request_as, make_person


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def kansa(mito: Any) -> Any:
    """監査を行う者: reads the trail by the pack's grant (10-1(2)ア), no TOTP needed."""
    return make_person(mito, "kansa", "監査 一子", roles=("auditor",))


@pytest.fixture
def usb(mito: Any, somu: Any) -> Any:
    """An asset registered by an organisation administrator, then classified higher."""
    admin = make_person(mito, "ito", "伊藤 五郎", department=somu, is_org_admin=True)
    asset = register_asset(
        mito,
        actor=admin.user,
        name="USBメモリ（研修資料持出用）",
        department=somu,
        form="medium",
        classification={"confidentiality": "1", "integrity": "1", "availability": "1"},
    )
    return classify_asset(
        asset,
        actor=admin.user,
        classification={"confidentiality": "2", "integrity": "1", "availability": "1"},
    )


def _records(page: str) -> list[str]:
    """The records of a page, one text block each."""
    return re.findall(r'<li class="change" id="r\d+">(.*?)</li>', page, re.DOTALL)


@pytest.mark.django_db
def test_a_change_shows_who_did_what_to_which_object_field_by_field(kansa: Any, usb: Any) -> None:
    page = _client("kansa").get("/audit/").content.decode()
    newest = _records(page)[0]
    assert '<strong class="action">情報資産の分類</strong>' in newest
    assert "伊藤 五郎" in newest  # the person's name, the login beside it
    assert '<small class="muted">ito</small>' in newest
    assert '<span class="kind">情報資産</span>' in newest
    assert f'<a href="/assets/{usb.pk}/">USBメモリ（研修資料持出用）</a>' in newest
    # Only the changed field, labelled with the pack's axis title and level titles.
    assert (
        '<tr><th scope="row">機密性</th><td class="before">機密性1</td>'
        '<td class="after">機密性2</td></tr>'
    ) in newest
    assert "完全性1</td>" not in newest.split("<details")[0]
    assert "<summary>変更のない項目（" in newest
    assert "confidentiality" not in page
    assert "classify_asset" not in newest
    record = ChangeRecord.objects.filter(action="classify_asset").get()
    assert record.hash in newest


@pytest.mark.django_db
def test_a_creation_lists_the_values_recorded_in_words(kansa: Any, usb: Any) -> None:
    page = _client("kansa").get("/audit/", {"action": "register_asset"}).content.decode()
    (created,) = _records(page)
    assert '<th scope="col">記録した値</th>' in created
    assert '<tr><th scope="row">形態</th><td class="value">記録媒体</td></tr>' in created
    assert '<tr><th scope="row">所管部署</th><td class="value">総務課</td></tr>' in created


@pytest.mark.django_db
def test_operators_and_role_assignments_read_as_words(kansa: Any) -> None:
    page = _client("kansa").get("/audit/", {"action": "assign_role"}).content.decode()
    (assigned,) = _records(page)
    assert '<span class="badge">コマンド・システム</span> tests' in assigned
    assert '<span class="kind">役割の割当て</span>' in assigned
    assert "監査 一子：監査を行う者" in assigned  # the person and the pack's role title
    assert '<td class="value">監査を行う者</td>' in assigned


@pytest.mark.django_db
def test_filters_by_person_object_type_and_object(kansa: Any, usb: Any) -> None:
    client = _client("kansa")
    page = client.get("/audit/").content.decode()
    assert '<option value="ito">伊藤 五郎（ito）</option>' in page
    assert '<option value="tests">tests（コマンド・システム）</option>' in page
    assert '<option value="assets.asset">情報資産</option>' in page
    by_ito = _records(client.get("/audit/", {"actor": "ito"}).content.decode())
    assert len(by_ito) == 2
    assert all("伊藤 五郎" in r for r in by_ito)
    people = _records(client.get("/audit/", {"object_type": "people.person"}).content.decode())
    assert {re.search(r'<span class="kind">(.*?)</span>', r)[1] for r in people} == {"職員"}
    history = client.get(
        "/audit/", {"object_type": "assets.asset", "object_id": str(usb.pk)}
    ).content.decode()
    assert "情報資産「USBメモリ（研修資料持出用）」 の記録だけを表示しています。" in history
    assert [re.search(r'class="action">(.*?)<', r)[1] for r in _records(history)] == [
        "情報資産の分類",
        "情報資産の登録",
    ]


@pytest.mark.django_db
def test_filters_by_date_range_in_local_days(kansa: Any, usb: Any) -> None:
    client = _client("kansa")
    today = timezone.localdate()
    same_day = client.get("/audit/", {"date_from": today.isoformat(), "date_to": today})
    assert len(_records(same_day.content.decode())) == ChangeRecord.objects.count()
    later = client.get("/audit/", {"date_from": (today + timedelta(days=1)).isoformat()})
    assert later.status_code == 200
    assert "条件に合う記録はありません。" in later.content.decode()
    slashes = client.get("/audit/", {"date_to": today.strftime("%Y/%m/%d")})
    assert len(_records(slashes.content.decode())) == ChangeRecord.objects.count()


@pytest.mark.django_db
def test_bad_filters_are_explained_in_japanese(kansa: Any) -> None:
    client = _client("kansa")
    response = client.get("/audit/", {"date_from": "2026-13-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "開始日は 2026-04-01 のように年-月-日で入力してください。" in page
    assert '<li class="change"' not in page
    backwards = client.get("/audit/", {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert backwards.status_code == 400
    assert "終了日は開始日と同じ日かそれより後にしてください。" in backwards.content.decode()
    unknown = client.get("/audit/", {"action": "approve_everything"}).content.decode()
    assert "「approve_everything」という操作はありません。" in unknown
    stranger = client.get("/audit/", {"actor": "yamada"}).content.decode()
    assert "「yamada」はこの組織の職員・操作者ではありません。" in stranger


@pytest.mark.django_db
def test_pages_are_cut_by_number_without_counting_the_trail(
    mito: Any, kansa: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(60):
        create_department(mito, actor=SETUP, name=f"第{n}課")
    newest = ChangeRecord.objects.filter(organization=mito).order_by("-seq")[0].seq
    client = _client("kansa")
    client.get("/audit/")  # the session and the grant index warm up
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/audit/").content.decode()
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(queries.captured_queries) <= 15
    shown = [int(s) for s in re.findall(r'<li class="change" id="r(\d+)">', first)]
    assert shown == list(range(newest, newest - 50, -1))
    assert "新しい記録" not in first
    older_link = re.search(r'href="\?before=(\d+)" rel="next"', first)
    assert older_link is not None
    assert int(older_link[1]) == newest - 49
    older = client.get("/audit/", {"before": older_link[1]}).content.decode()
    rest = [int(s) for s in re.findall(r'<li class="change" id="r(\d+)">', older)]
    assert rest == list(range(newest - 50, 0, -1))
    assert "古い記録" not in older
    newer_link = re.search(r'href="\?after=(\d+)" rel="prev"', older)
    assert newer_link is not None
    assert int(newer_link[1]) == newest - 50
    back = client.get("/audit/", {"after": newer_link[1]}).content.decode()
    assert re.findall(r'<li class="change" id="r(\d+)">', back) == [str(s) for s in shown]


@pytest.mark.django_db
def test_links_only_where_the_viewer_may_read(mito: Any, kansa: Any, usb: Any, yamada: Any) -> None:
    rows = list(ChangeRecord.objects.filter(organization=mito).order_by("-seq")[:1])
    (mine,) = audit_queries.entries(mito, rows, viewer=kansa.user)
    assert mine.object_url == f"/assets/{usb.pk}/"
    (theirs,) = audit_queries.entries(mito, rows, viewer=yamada.user)  # another organisation
    assert theirs.object_url is None
    assert theirs.object_name == "USBメモリ（研修資料持出用）"


@pytest.mark.django_db
def test_another_organisations_object_is_never_named(mito: Any, kansa: Any, yamada: Any) -> None:
    page = _client("kansa").get(
        "/audit/", {"object_type": "people.person", "object_id": str(yamada.pk)}
    )
    assert "山田 三郎" not in page.content.decode()
    assert "条件に合う記録はありません。" in page.content.decode()


@pytest.mark.django_db
def test_staff_without_the_grant_is_refused_with_the_reason(suzuki: Any) -> None:
    for url in ("/audit/", "/audit/export.xlsx"):
        response = _client("suzuki").get(url)
        assert response.status_code == 403
        assert "「監査証跡の閲覧」の権限がありません。" in response.content.decode()


@pytest.mark.django_db
def test_reading_the_trail_writes_no_record(kansa: Any, usb: Any) -> None:
    before = ChangeRecord.objects.count()
    client = _client("kansa")
    client.get("/audit/")
    client.get("/audit/export.xlsx")
    assert ChangeRecord.objects.count() == before


@pytest.mark.django_db
def test_a_period_holds_exactly_the_records_of_its_days(mito: Any, kansa: Any) -> None:
    now = timezone.now()
    for days, name in ((10, "十日前課"), (5, "五日前課")):
        with mock.patch("django.utils.timezone.now", return_value=now - timedelta(days=days)):
            create_department(mito, actor=SETUP, name=name)
    today = timezone.localdate(now)

    def shown(**period: Any) -> list[str]:
        page = _client("kansa").get("/audit/", {"action": "create_department", **period})
        return re.findall(r'<td class="value">(.*?課)</td>', page.content.decode())

    assert shown(date_from=today - timedelta(6), date_to=today - timedelta(4)) == ["五日前課"]
    assert shown(date_to=today - timedelta(9)) == ["十日前課"]
    assert shown(date_from=today - timedelta(10)) == ["五日前課", "十日前課"]
    assert shown(date_from=today - timedelta(3), date_to=today - timedelta(1)) == []


@pytest.mark.django_db
def test_a_member_of_two_organisations_is_named_as_each_knows_them(
    kansa: Any, suzuki: Any, toyama: Any
) -> None:
    file_request_as(suzuki.organization, suzuki, "equipment.procure")
    add_membership(toyama, actor=SETUP, user=suzuki.user, name="鈴木 はな（組合）")
    page = _client("kansa").get("/audit/", {"actor": "suzuki"}).content.decode()
    (filed,) = _records(page)
    assert '<strong class="action">申請の提出</strong>' in filed
    assert '鈴木 花子 <small class="muted">suzuki</small>' in filed
    assert "鈴木 はな" not in page
    assert ("suzuki", "鈴木 はな（組合）（suzuki）") in audit_queries.actor_choices(toyama)
    assert ("suzuki", "鈴木 花子（suzuki）") in audit_queries.actor_choices(suzuki.organization)
