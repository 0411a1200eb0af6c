"""The home page per person: 「あなたの対応待ち」, each count linking to exactly its items.

mito: `sato` 情報セキュリティ管理者 of 総務課, `suzuki` staff (tests/conftest.py), `gicho` CISO,
`ito` organisation administrator; toyama: `yamada`.
"""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kitei.assets.models import Asset
from kitei.assets.services import register_asset
from kitei.core import registry
from kitei.people.models import Person
from kitei.records import services as record_services
from kitei.records.models import RecordEntry
from kitei.systems.services import add_software, register_system
from tests.conftest import SETUP

from ..conftest import PASSWORD, activate_totp, approve_as, file_request_as, make_person

pytestmark = pytest.mark.django_db

C2 = {"機密性": "機密性2", "完全性": "2", "可用性": "2"}
CORE = Path(__file__).resolve().parents[2] / "src" / "kitei" / "core"
LEAF_APPS = ("people", "assets", "systems", "approvals", "records")


def client_for(person: Any) -> Client:
    """Logged in as the person; administrative roles (the 管理者) have TOTP, as they must."""
    from kitei.core.access import requires_mfa  # noqa: PLC0415

    if requires_mfa(person.user):
        activate_totp(person)
    client = Client()
    assert client.login(username=person.user.username, password=PASSWORD)
    return client


def item(page: str, key: str) -> tuple[int, str]:
    """The count and link of one line of 「あなたの対応待ち」."""
    line = page.split(f'id="waiting-{key}"')[1].split("</li>", maxsplit=1)[0]
    count = re.search(r'<span class="n">(\d+)</span>', line)
    link = re.search(r'href="([^"]+)"', line)
    assert count is not None, line
    assert link is not None, line
    return int(count.group(1)), link.group(1).replace("&amp;", "&")


@pytest.fixture
def laptop(mito: Any, somu: Any) -> Any:
    return register_asset(
        mito, actor=SETUP, name="議会用ノートパソコン", department=somu, form="electronic",
        classification=C2,
    )  # fmt: skip


def take_out(org: Any, person: Any, item_name: str, due_in: int) -> RecordEntry:
    """A take-out by the person, approved and recorded, due in `due_in` days (negative: overdue).

    The 持出記録 takes it from its approved request (002 6-1(1)ウ(イ)); 佐藤, the only
    情報セキュリティ管理者, approves his own under 2(6)ア with a reason.
    """
    asset = Asset.objects.get(organization=org, name="議会用ノートパソコン")
    approver = Person.objects.get(organization=org, user__username="sato")
    request = file_request_as(org, person, "asset.take_out", asset=asset)
    reason = "課内に他の承認者がいないため" if approver == person else ""
    approve_as(request, approver, override_reason=reason)
    entry = record_services.record_entry(
        org,
        actor=person.user,
        book="x.take-out",
        recorded_by=person,
        fields={"item": item_name, "destination": "委員会室", "purpose": "資料作成",
                "taken_at": timezone.now() - timedelta(days=7)},
        request=request,
        due_on=timezone.localdate() + timedelta(days=due_in),
    )  # fmt: skip
    return entry


def test_core_home_imports_no_app_above_core() -> None:
    for name in ("views.py", "registry.py"):
        tree = ast.parse((CORE / name).read_text(encoding="utf-8"))
        imported = [
            node.module or ""
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
        ] + [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names]  # fmt: skip
        assert not [m for m in imported if m.split(".")[1:2] and m.split(".")[1] in LEAF_APPS], name
    assert registry.providers() == {
        "items": [
            "approvals",
            "incidents",
            "records",
            "systems",
            "corrective",
            "duties",
            "inspections",
            "audits",
            "people",
        ],
        "figures": ["approvals", "registers"],
    }


def test_requests_waiting_on_the_manager_link_to_the_inbox_of_exactly_those(
    mito: Any, sato: Any, suzuki: Any, laptop: Any
) -> None:
    manager = client_for(sato)
    assert item(manager.get("/").content.decode(), "inbox") == (0, "/approvals/inbox/")
    first = file_request_as(mito, suzuki, "asset.take_out", asset=laptop)
    second = file_request_as(mito, suzuki, "asset.take_out", asset=laptop, reason="出張")
    approve_as(second, sato)  # decided: no longer waiting
    page = manager.get("/").content.decode()
    count, url = item(page, "inbox")
    assert count == 1
    inbox = manager.get(url).content.decode()
    assert set(re.findall(r'href="/approvals/(\d+)/"', inbox)) == {str(first.pk)}
    assert "あなたの対応待ち" in page
    # Staff have nothing to approve; their line says 0 and the heading says nothing waits.
    staff = client_for(suzuki).get("/").content.decode()
    assert item(staff, "inbox") == (0, "/approvals/inbox/")
    assert "いま、あなたの対応を待っているものはありません。" in staff


def test_own_take_outs_out_and_overdue_link_to_lists_of_exactly_those(
    mito: Any, sato: Any, suzuki: Any, laptop: Any
) -> None:
    late = take_out(mito, sato, "会議録の写し", due_in=-2)
    due = take_out(mito, sato, "USBメモリ", due_in=5)
    returned = take_out(mito, sato, "説明資料", due_in=3)
    record_services.record_return(returned, actor=sato.user, returned_by=sato)
    others = take_out(mito, suzuki, "鈴木のノート", due_in=-1)
    client = client_for(sato)
    page = client.get("/").content.decode()
    count, url = item(page, "returns")
    assert (count, url) == (2, f"/records/returns/?person={sato.pk}")
    # 「うち」 the overdue one: a part of the line above, not counted twice in the heading
    # (which also counts sato's duties of the fiscal year, kitei.duties).
    duties = item(page, "duties.due")[0]
    heading = page.split('id="waiting"')[1].split("</h2>")[0]
    assert f'<span class="count">{2 + duties} 件</span>' in heading
    listed = client.get(url).content.decode()
    assert re.findall(r'id="take-out-(\d+)"', listed) == [str(late.pk), str(due.pk)]
    assert "佐藤 一郎 さんの持出し" in listed
    count, url = item(page, "overdue")
    assert (count, url) == (1, f"/records/overdue/?person={sato.pk}")
    assert re.findall(r'id="take-out-(\d+)"', client.get(url).content.decode()) == [str(late.pk)]
    # Without the filter the lists are everyone's; a person of another organisation is 404.
    everyone = client.get("/records/overdue/").content.decode()
    assert sorted(re.findall(r'id="take-out-(\d+)"', everyone)) == sorted(
        [str(late.pk), str(others.pk)]
    )
    yamada = make_person(_toyama(), "yamada2", "山田 次郎")
    assert client.get(f"/records/returns/?person={yamada.pk}").status_code == 404
    assert client.get("/records/returns/?person=x").status_code == 404
    # Someone with nothing out has no such line.
    assert (
        'id="waiting-returns"'
        not in client_for(make_person(mito, "abe", "阿部 七海")).get("/").content.decode()
    )


def _toyama() -> Any:
    from tests.conftest import make_org  # noqa: PLC0415

    return make_org("toyama", "toyama-kankoji-kumiai", "富山市管工事協同組合")


def test_managed_systems_past_support_link_to_the_filtered_system_list(
    mito: Any, somu: Any, sato: Any, suzuki: Any
) -> None:
    today = timezone.localdate()
    old = register_system(mito, actor=SETUP, name="議会情報システム", department=somu,
                          manager=sato)  # fmt: skip
    add_software(old, actor=SETUP, name="Windows Server 2012", end_of_support=today - timedelta(1))
    fine = register_system(mito, actor=SETUP, name="会議録検索", department=somu, manager=sato)
    add_software(fine, actor=SETUP, name="PostgreSQL 16", end_of_support=today + timedelta(900))
    theirs = register_system(mito, actor=SETUP, name="他の人の", department=somu, manager=suzuki)
    add_software(theirs, actor=SETUP, name="古いもの", end_of_support=today - timedelta(1))
    client = client_for(sato)
    count, url = item(client.get("/").content.decode(), "systems-ended")
    assert (count, url) == (1, f"/systems/?manager={sato.pk}&support=ended")
    listed = client.get(url).content.decode()
    assert re.findall(r'href="/systems/(\d+)/"', listed) == [str(old.pk)]
    assert 'value="ended" selected' in listed
    # Managing no system: no such line.
    staff_page = client_for(make_person(mito, "abe", "阿部 七海")).get("/").content.decode()
    assert 'id="waiting-systems-ended"' not in staff_page


def test_the_administrator_sees_who_has_no_address_and_the_filtered_register(
    mito: Any, somu: Any, sato: Any, suzuki: Any
) -> None:
    ito = make_person(mito, "ito", "伊藤 五郎", department=somu, is_org_admin=True)
    activate_totp(ito)
    Person.objects.filter(pk=suzuki.pk).update(email="suzuki@example.jp")
    sato.user.email = "sato@example.jp"  # the account's address counts too
    sato.user.save(update_fields=["email"])
    admin = Client()
    admin.force_login(ito.user)
    count, url = item(admin.get("/").content.decode(), "no-address")
    assert (count, url) == (1, "/people/?address=missing")
    listed = admin.get(url).content.decode()
    assert re.findall(r'href="/people/(\d+)/"', listed) == [str(ito.pk)]
    assert "未登録" in listed
    everyone = admin.get("/people/").content.decode()
    assert "suzuki@example.jp" in everyone
    assert "sato@example.jp" in everyone
    # Staff do not keep the register: no such line, and the filter is not theirs.
    staff = client_for(suzuki)
    assert 'id="waiting-no-address"' not in staff.get("/").content.decode()
    listed = staff.get("/people/?address=missing").content.decode()
    assert sorted(re.findall(r'href="/people/(\d+)/"', listed)) == sorted(
        str(p.pk) for p in (ito, sato, suzuki)
    )
    assert 'name="address"' not in listed


def test_raw_ids_and_digests_are_behind_the_details_toggle(
    mito: Any, sato: Any, suzuki: Any, laptop: Any
) -> None:
    client = client_for(suzuki)
    page = client.get("/").content.decode()
    shown, hidden = page.split('<details class="raw">')
    assert mito.pack_digest not in shown
    assert mito.pack_digest in hidden.split("</details>")[0]
    assert "<summary>詳細</summary>" in hidden
    request = file_request_as(mito, suzuki, "asset.take_out", asset=laptop)
    page = client.get(f"/approvals/{request.pk}/").content.decode()
    raw = page.split('<details class="raw"')[1].split("</details>")[0]
    outside = page.replace(raw, "")
    for value in ("asset.take_out", mito.pack_digest, "mito-city-council"):
        assert value in raw
        assert value not in outside
