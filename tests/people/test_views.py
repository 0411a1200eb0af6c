"""The people register pages: reading, administrators' changes, permissions and isolation."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client

from kitei.core.models import ChangeRecord
from kitei.people.models import Department, Person, RoleAssignment
from kitei.people.services import create_department
from tests.conftest import SETUP

from ..conftest import activate_totp, make_person
from .conftest import client_for

MANAGER = "information_security_manager"
# Session, account and gate (about 8) plus the page's own: count, page, assignments of the
# page, departments. The bound does not grow with the number of people listed.
MAX_QUERIES = 14
PERSON_LINK = re.compile(r'href="/people/\d+/"')


def _actions(org: Any) -> list[str]:
    return list(ChangeRecord.objects.filter(organization=org).values_list("action", flat=True))


def test_list_shows_people_departments_and_role_titles(sato: Any, suzuki: Any) -> None:
    page = client_for("suzuki").get("/people/").content.decode()
    assert "佐藤 一郎" in page
    assert "鈴木 花子" in page
    assert "総務課" in page
    assert "情報セキュリティ管理者（総務課）" in page
    assert "議員及び職員" in page
    assert MANAGER not in page.split("<tbody>")[1]  # titles, not ids, in the table


def test_list_filters_by_role_and_department(
    mito: Any, sato: Any, suzuki: Any, tanaka: Any
) -> None:
    client = client_for("suzuki")
    page = client.get("/people/", {"role": MANAGER}).content.decode()
    table = page.split("<tbody>")[1]
    assert "佐藤 一郎" in table
    assert "鈴木 花子" not in table
    somu = Department.objects.get(organization=mito, name="総務課")
    table = client.get("/people/", {"department": somu.pk}).content.decode().split("<tbody>")[1]
    assert "鈴木 花子" in table
    assert "田中 次郎" not in table


def test_list_hides_ended_assignments_but_the_person_page_keeps_them(
    mito: Any, sato: Any, ito: Any
) -> None:
    holding = RoleAssignment.objects.get(person=sato, role_id=MANAGER)
    client = client_for("ito")
    response = client.post(f"/people/assignments/{holding.pk}/end/", {"on": "2020-03-31"})
    assert response.status_code == 302
    table = client.get("/people/").content.decode().split("<tbody>")[1]
    assert "情報セキュリティ管理者" not in table
    detail = client.get(f"/people/{sato.pk}/").content.decode()
    assert "情報セキュリティ管理者" in detail
    assert "2020-03-31" in detail
    assert "終了" in detail
    assert RoleAssignment.objects.filter(pk=holding.pk).exists()
    assert _actions(mito)[-1] == "end_assignment"


def test_list_is_paginated_by_the_database_with_bounded_queries(
    mito: Any, somu: Any, suzuki: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for("suzuki")
    client.get("/people/")  # warm the pack engine's cache
    with django_assert_max_num_queries(MAX_QUERIES):
        small = client.get("/people/")
    assert small.status_code == 200
    for n in range(60):
        make_person(
            mito, f"staff{n:02d}", f"職員 {n:02d}", roles=("members_and_staff",), department=somu
        )
    with django_assert_max_num_queries(MAX_QUERIES):
        first = client.get("/people/").content.decode()
    with django_assert_max_num_queries(MAX_QUERIES):
        second = client.get("/people/", {"page": 2}).content.decode()
    assert len(PERSON_LINK.findall(first)) == 50
    assert len(PERSON_LINK.findall(second)) == 11  # 61 people, 50 a page
    assert "2 / 2" in second
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get("/people/", {"role": "members_and_staff", "department": somu.pk})


def test_person_page_shows_roles_and_deputies(mito: Any, somu: Any, sato: Any, ito: Any) -> None:
    client = client_for("ito")
    response = client.post(
        f"/people/{ito.pk}/assign/",
        {
            "role": MANAGER,
            "department": somu.pk,
            "deputy_for": sato.pk,
            "valid_from": "2026-01-01",
            "valid_until": "2099-12-31",
        },
    )
    assert response.status_code == 302
    deputy = RoleAssignment.objects.get(person=ito)
    assert deputy.deputy_for == sato
    assert _actions(mito)[-1] == "assign_role"
    page = client.get(f"/people/{sato.pk}/").content.decode()
    assert "この人を代行する者" in page
    assert "伊藤 五郎" in page
    mine = client.get(f"/people/{ito.pk}/").content.decode()
    assert "佐藤 一郎 の代行" in mine


def test_a_system_role_is_assigned_by_choosing_a_registered_system(
    mito: Any, somu: Any, suzuki: Any, ito: Any, *, toyama: Any, django_assert_max_num_queries: Any
) -> None:
    from kitei.systems.services import register_system  # noqa: PLC0415 - a higher layer

    council = register_system(mito, actor=SETUP, name="議会情報システム", department=somu)
    office = create_department(toyama, actor=SETUP, name="事務局")
    theirs = register_system(toyama, actor=SETUP, name="組合業務システム", department=office)
    client = client_for("ito")
    form = client.get(f"/people/{suzuki.pk}/assign/").content.decode()
    assert f'<option value="{council.pk}">議会情報システム</option>' in form
    assert "組合業務システム" not in form
    role = "information_system_manager"
    refused = client.post(f"/people/{suzuki.pk}/assign/", {"role": role, "system": theirs.pk})
    assert refused.status_code == 400
    assert not RoleAssignment.objects.filter(person=suzuki, role_id=role).exists()
    done = client.post(f"/people/{suzuki.pk}/assign/", {"role": role, "system": council.pk})
    assert done.status_code == 302
    assert RoleAssignment.objects.get(person=suzuki, role_id=role).system == council
    link = f'<a href="/systems/{council.pk}/">議会情報システム</a>'
    assert link in client.get(f"/people/{suzuki.pk}/").content.decode()
    client.get("/people/")  # warm the pack engine's cache
    with django_assert_max_num_queries(MAX_QUERIES):
        listing = client.get("/people/").content.decode()
    assert link in listing


def test_bad_assignment_is_refused_on_the_page(mito: Any, somu: Any, ito: Any) -> None:
    before = ChangeRecord.objects.count()
    response = client_for("ito").post(
        f"/people/{ito.pk}/assign/",
        {"role": MANAGER, "department": somu.pk, "deputy_for": ito.pk},
    )
    assert response.status_code == 400
    assert "自分自身の代行者にはなれません。" in response.content.decode()
    response = client_for("ito").post(f"/people/{ito.pk}/assign/", {"role": MANAGER})
    assert response.status_code == 400
    assert "「情報セキュリティ管理者」には対象部署が必要です。" in response.content.decode()
    assert ChangeRecord.objects.count() == before
    assert not RoleAssignment.objects.filter(person=ito).exists()


def test_administrator_adds_a_department(mito: Any, ito: Any) -> None:
    client = client_for("ito")
    response = client.post("/people/departments/add/", {"name": "議事課"})
    assert response.status_code == 302
    assert Department.objects.filter(organization=mito, name="議事課").exists()
    assert _actions(mito)[-1] == "create_department"
    again = client.post("/people/departments/add/", {"name": "議事課"})
    assert again.status_code == 400
    assert "この部署は既に登録されています。" in again.content.decode()


def test_administrator_adds_a_person_with_a_temporary_password(
    mito: Any, somu: Any, ito: Any
) -> None:
    response = client_for("ito").post(
        "/people/add/",
        {"name": "小林 六郎", "username": "kobayashi", "department": somu.pk, "position": "主事"},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    person = Person.objects.get(user__username="kobayashi")
    assert person.organization == mito
    assert person.must_change_password
    page = response.content.decode()
    password = page.split('<code class="password">')[1].split("</code>")[0]
    assert "初回ログイン時にパスワードを変更する必要があります" in page
    assert _actions(mito)[-1] == "create_person"
    newcomer = Client()
    assert newcomer.login(username="kobayashi", password=password)
    first = newcomer.get("/people/")
    assert first.status_code == 302
    assert first["Location"] == "/accounts/password/change/"


def test_adding_a_person_with_bad_input_writes_nothing(mito: Any, ito: Any, sato: Any) -> None:
    before = Person.objects.count()
    response = client_for("ito").post(
        "/people/add/", {"name": "", "username": "sato", "email": "not-an-address"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "このユーザー名は既に使われています。" in page
    response = client_for("ito").post(
        "/people/add/", {"name": "小林 六郎", "username": "kobayashi", "password": "short"}
    )
    assert response.status_code == 400
    # A password made of the new account's own login name is guessable (zxcvbn).
    response = client_for("ito").post(
        "/people/add/",
        {"name": "小林 六郎", "username": "kobayashi", "password": "kobayashi2026!"},
    )
    assert response.status_code == 400
    assert "ユーザー名・氏名・組織名などを含めないでください。" in response.content.decode()
    assert Person.objects.count() == before


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/people/add/"),
        ("post", "/people/add/"),
        ("get", "/people/departments/add/"),
        ("post", "/people/departments/add/"),
        ("get", "/people/import/"),
        ("post", "/people/import/"),
        ("post", "/people/{suzuki}/assign/"),
        ("post", "/people/assignments/{assignment}/end/"),
    ],
)
@pytest.mark.parametrize("username", ["suzuki", "sato"])
def test_non_administrators_get_403(
    sato: Any, suzuki: Any, method: str, url: str, username: str
) -> None:
    activate_totp(sato)  # sato holds an administrative role of the pack, yet is no org admin
    assignment = RoleAssignment.objects.get(person=sato)
    target = url.format(suzuki=suzuki.pk, assignment=assignment.pk)
    before = ChangeRecord.objects.count()
    data = {"name": "議事課", "on": "2026-01-01", "role": MANAGER}
    response = getattr(client_for(username), method)(target, data)
    assert response.status_code == 403
    assert ChangeRecord.objects.count() == before


def test_anonymous_users_are_sent_to_log_in(mito: Any) -> None:
    response = Client().get("/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_another_organisation_sees_nothing_of_mito_by_page(
    sato: Any, suzuki: Any, yamada: Any
) -> None:
    page = client_for("yamada").get("/people/").content.decode()
    assert "山田 三郎" in page
    for name in ("佐藤 一郎", "鈴木 花子", "総務課", "情報セキュリティ管理者"):
        assert name not in page
    somu = Department.objects.get(name="総務課")
    filtered = client_for("yamada").get("/people/", {"department": somu.pk}).content.decode()
    assert "佐藤 一郎" not in filtered


def test_another_organisation_reaches_nothing_of_mito_by_id(
    mito: Any, somu: Any, sato: Any, toyama_admin: Any
) -> None:
    client = client_for("toyama_admin")
    assignment = RoleAssignment.objects.get(person=sato)
    before = ChangeRecord.objects.filter(organization=mito).count()
    assert client.get(f"/people/{sato.pk}/").status_code == 404
    assert client.get(f"/people/{sato.pk}/assign/").status_code == 404
    response = client.post(f"/people/{sato.pk}/assign/", {"role": "staff"})
    assert response.status_code == 404
    response = client.post(f"/people/assignments/{assignment.pk}/end/", {"on": "2026-01-01"})
    assert response.status_code == 404
    assignment.refresh_from_db()
    assert assignment.valid_until is None
    assert ChangeRecord.objects.filter(organization=mito).count() == before


def test_an_administrator_cannot_use_another_organisations_department(
    mito: Any, somu: Any, toyama_admin: Any
) -> None:
    response = client_for("toyama_admin").post(
        "/people/add/", {"name": "越境 太郎", "username": "ekkyo", "department": somu.pk}
    )
    assert response.status_code == 400
    assert not Person.objects.filter(name="越境 太郎").exists()


def test_site_administrator_without_organisation_gets_403(mito: Any) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: PLC0415
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    from ..conftest import PASSWORD  # noqa: PLC0415

    root = get_user_model().objects.create_superuser("root", "", PASSWORD)
    TOTP.activate(root, generate_totp_secret())
    client = client_for("root")
    assert client.get("/people/").status_code == 403
    assert client.get("/people/add/").status_code == 403


def test_deputy_period_is_shown_as_upcoming(mito: Any, somu: Any, sato: Any, ito: Any) -> None:
    create_department(mito, actor=SETUP, name="議事課")
    client = client_for("ito")
    client.post(
        f"/people/{ito.pk}/assign/",
        {
            "role": MANAGER,
            "department": somu.pk,
            "deputy_for": sato.pk,
            "valid_from": "2099-04-01",
            "valid_until": "2099-04-30",
        },
    )
    page = client.get(f"/people/{ito.pk}/").content.decode()
    assert "開始前" in page
    assert date(2099, 4, 1).isoformat() in page
