"""The system register pages: list and filters, software support status, keepers, isolation."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kitei.core.models import ChangeRecord
from kitei.people.services import create_department
from kitei.systems.models import Software, System
from kitei.systems.services import add_software, register_system
from tests.conftest import SETUP

from ..conftest import PASSWORD, activate_totp, make_person

pytestmark = pytest.mark.django_db

# Session, account and gate (about 8) plus the page's own: count, page, departments,
# people for the manager filter. The bound does not grow with the number of systems.
MAX_QUERIES = 14
SYSTEM_LINK = re.compile(r'href="/systems/\d+/"')


def client_for(username: str) -> Client:
    """A client logged in as `username` (the cast's shared password)."""
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def ito(mito: Any, somu: Any) -> Any:
    """伊藤, organisation administrator of mito (with TOTP)."""
    person = make_person(mito, "ito", "伊藤 五郎", department=somu, is_org_admin=True)
    activate_totp(person)
    return person


@pytest.fixture
def council(mito: Any, somu: Any) -> System:
    """議会情報システム of 総務課."""
    return _system(mito, somu, "議会情報システム")


@pytest.fixture
def kimura(mito: Any, somu: Any, council: System) -> Any:
    """木村, 情報システム管理者 of 議会情報システム (an administrative role: TOTP)."""
    from kitei.people.services import assign_role  # noqa: PLC0415

    person = make_person(mito, "kimura", "木村 健太", department=somu)
    assign_role(
        mito,
        actor=SETUP,
        person=person,
        role_id="information_system_manager",
        system=council,
    )
    activate_totp(person)
    return person


def _system(org: Any, dept: Any, name: str, **fields: Any) -> System:
    return register_system(org, actor=SETUP, name=name, department=dept, **fields)


def test_list_filters_by_department_zone_external_manager_and_name(
    mito: Any, somu: Any, sato: Any, suzuki: Any
) -> None:
    gijika = create_department(mito, actor=SETUP, name="議事課")
    _system(mito, somu, "議会情報システム", zone="lgwan", manager=sato)
    _system(mito, gijika, "会議録検索システム", zone="internet", is_external_service=True)
    _system(mito, gijika, "議会中継配信", zone="internet")
    client = client_for("suzuki")

    def names(**params: Any) -> set[str]:
        table = client.get("/systems/", params).content.decode().split("<tbody>")[1]
        return {n for n in ("議会情報システム", "会議録検索システム", "議会中継配信") if n in table}

    assert names() == {"議会情報システム", "会議録検索システム", "議会中継配信"}
    assert names(department=gijika.pk) == {"会議録検索システム", "議会中継配信"}
    assert names(zone="lgwan") == {"議会情報システム"}
    assert names(external="true") == {"会議録検索システム"}
    assert names(external="false", zone="internet") == {"議会中継配信"}
    assert names(zone="インターネット接続系", external="false") == {"議会中継配信"}  # by title
    assert names(manager=sato.pk) == {"議会情報システム"}
    assert names(q="会議録") == {"会議録検索システム"}
    page = client.get("/systems/").content.decode()
    assert "LGWAN接続系" in page.split("<tbody>")[1]


def test_list_is_paginated_with_bounded_queries(
    mito: Any, somu: Any, suzuki: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for("suzuki")
    today = timezone.localdate()
    first = _system(mito, somu, "システム 00")
    add_software(first, actor=SETUP, name="OS", end_of_support=today - timedelta(days=1))
    client.get("/systems/")  # warm the pack engine's cache
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get("/systems/").status_code == 200
    for n in range(1, 61):
        system = _system(mito, somu, f"システム {n:02d}", zone="lgwan")
        add_software(system, actor=SETUP, name="OS", end_of_support=today - timedelta(days=1))
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get("/systems/").content.decode()
    with django_assert_max_num_queries(MAX_QUERIES):
        second = client.get("/systems/", {"page": 2, "zone": "lgwan"}).content.decode()
    assert len(SYSTEM_LINK.findall(page)) == 50
    assert len(SYSTEM_LINK.findall(second)) == 10  # 60 in LGWAN接続系, 50 a page
    assert "サポート終了 1" in page


def test_system_page_flags_software_by_support_status(
    mito: Any, somu: Any, suzuki: Any, sato: Any
) -> None:
    today = timezone.localdate()
    system = _system(
        mito,
        somu,
        "議会情報システム",
        zone="lgwan",
        manager=sato,
        availability="2",
        planned_until=today + timedelta(days=3 * 365),
        security_requirements="LGWAN接続系で運用する。",
    )
    add_software(
        system,
        actor=SETUP,
        name="Windows Server",
        version="2012 R2",
        end_of_support=today - timedelta(days=30),
    )
    add_software(
        system,
        actor=SETUP,
        name="PostgreSQL",
        version="14",
        end_of_support=today + timedelta(days=365),
    )
    add_software(system, actor=SETUP, name="Web", end_of_support=today + timedelta(days=5 * 365))
    add_software(system, actor=SETUP, name="業務アプリ")
    page = client_for("suzuki").get(f"/systems/{system.pk}/").content.decode()
    assert "LGWAN接続系" in page
    assert "可用性2" in page
    assert "佐藤 一郎" in page
    software = page.split('id="software"')[1]
    assert '<span class="status ended">サポート終了（利用不可 7-4(1)キ）</span>' in software
    assert '<span class="status soon">利用予定期間中にサポート終了</span>' in software
    assert "サポート期間内" in software
    assert "サポート終了日が未登録" in software
    assert "開発元のサポートが終了したソフトウェアを利用してはならない" in software


def test_pack_without_the_rule_flags_ended_software_without_a_clause(
    toyama: Any, yamada: Any
) -> None:
    dept = create_department(toyama, actor=SETUP, name="事務局")
    system = _system(toyama, dept, "組合業務システム")
    today = timezone.localdate()
    add_software(system, actor=SETUP, name="OS", end_of_support=today - timedelta(days=1))
    page = client_for("yamada").get(f"/systems/{system.pk}/").content.decode()
    assert '<span class="status ended">サポート終了</span>' in page
    assert "7-4(1)キ" not in page


def test_administrator_registers_a_system_and_adds_software(
    mito: Any, somu: Any, ito: Any, sato: Any
) -> None:
    client = client_for("ito")
    form = client.get("/systems/add/").content.decode()
    assert "マイナンバー利用事務系" in form
    response = client.post(
        "/systems/add/",
        {
            "name": "議会情報システム",
            "department": somu.pk,
            "manager": sato.pk,
            "zone": "lgwan",
            "availability": "2",
            "planned_until": "2031-03-31",
        },
    )
    assert response.status_code == 302
    system = System.objects.get(name="議会情報システム")
    assert system.zone == "lgwan"
    assert str(system.planned_until) == "2031-03-31"
    response = client.post(
        f"/systems/{system.pk}/software/add/",
        {"name": "Windows Server", "version": "2019", "end_of_support": "2029-01-09"},
    )
    assert response.status_code == 302
    assert Software.objects.get(system=system).version == "2019"
    actions = ChangeRecord.objects.filter(organization=mito).values_list("action", flat=True)
    assert list(actions)[-2:] == ["register_system", "add_software"]
    edit = client.post(
        f"/systems/{system.pk}/edit/",
        {"name": "議会情報システム", "department": somu.pk, "zone": "internet"},
    )
    assert edit.status_code == 302
    system.refresh_from_db()
    assert system.zone == "internet"
    assert system.manager is None


def test_bad_input_gets_japanese_errors_and_writes_nothing(mito: Any, somu: Any, ito: Any) -> None:
    _system(mito, somu, "議会情報システム")
    before = (System.objects.count(), ChangeRecord.objects.count())
    client = client_for("ito")
    response = client.post(
        "/systems/add/",
        {"name": "", "department": somu.pk, "zone": "moon", "planned_until": "来年"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "このフィールドは必須です。" in page
    assert "正しく選択してください" in page
    assert "日付を正しく入力してください。" in page
    duplicate = client.post("/systems/add/", {"name": "議会情報システム", "department": somu.pk})
    assert duplicate.status_code == 400
    assert "システム「議会情報システム」は既に登録されています。" in duplicate.content.decode()
    system = System.objects.get()
    bad = client.post(f"/systems/{system.pk}/software/add/", {"end_of_support": "13/45"})
    assert bad.status_code == 400
    assert (System.objects.count(), ChangeRecord.objects.count()) == before


def test_system_manager_keeps_only_own_system(
    mito: Any, somu: Any, council: System, kimura: Any, suzuki: Any
) -> None:
    own = council
    other = _system(mito, somu, "会議録検索システム")
    client = client_for("kimura")
    assert client.get(f"/systems/{own.pk}/edit/").status_code == 200
    assert client.get(f"/systems/{other.pk}/edit/").status_code == 403
    assert client.post(f"/systems/{other.pk}/software/add/", {"name": "x"}).status_code == 403
    refused = client.post("/systems/add/", {"name": "新システム", "department": somu.pk})
    assert refused.status_code == 400
    assert "管理する情報システムだけを登録できます" in refused.content.decode()
    mine = client.post(
        "/systems/add/", {"name": "新システム", "department": somu.pk, "manager": kimura.pk}
    )
    assert mine.status_code == 302
    staff = client_for("suzuki")
    assert staff.get("/systems/add/").status_code == 403
    assert staff.get(f"/systems/{own.pk}/edit/").status_code == 403
    assert "編集する" not in staff.get(f"/systems/{own.pk}/").content.decode()


def test_another_organisations_system_answers_404(mito: Any, somu: Any, yamada: Any) -> None:
    system = _system(mito, somu, "議会情報システム")
    client = client_for("yamada")
    assert client.get(f"/systems/{system.pk}/").status_code == 404
    assert client.get(f"/systems/{system.pk}/edit/").status_code == 404
    assert client.post(f"/systems/{system.pk}/software/add/", {"name": "x"}).status_code == 404
    assert "議会情報システム" not in client.get("/systems/").content.decode()


def test_home_page_counts_systems_and_flagged_software(mito: Any, somu: Any, suzuki: Any) -> None:
    today = timezone.localdate()
    system = _system(mito, somu, "議会情報システム", planned_until=today + timedelta(days=900))
    _system(mito, somu, "会議録検索システム")
    add_software(system, actor=SETUP, name="A", end_of_support=today - timedelta(days=1))
    add_software(system, actor=SETUP, name="B", end_of_support=today + timedelta(days=30))
    add_software(system, actor=SETUP, name="C", end_of_support=today + timedelta(days=1000))
    page = client_for("suzuki").get("/").content.decode()
    registers = page.split('id="registers"')[1].split("</section>")[0]
    assert re.search(r"情報システム</a></dt><dd>2</dd>", registers)
    assert '<span class="status ended">2</span>' in registers
