"""A user of one organisation can neither see nor change anything of another."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kitei.core import access
from kitei.core.models import ChangeRecord
from kitei.people.models import Person

from ..conftest import PASSWORD


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_scoped_queries_see_only_own_organisation(suzuki: Any, yamada: Any) -> None:
    mito_people = access.scoped(Person.objects.all(), access.organization_of(suzuki.user))
    assert list(mito_people.values_list("name", flat=True)) == ["鈴木 花子"]
    toyama_records = access.scoped(ChangeRecord.objects.all(), yamada.organization)
    assert {r.organization_id for r in toyama_records} == {yamada.organization.pk}
    assert access.scoped(Person.objects.all(), None).count() == 0


@pytest.mark.django_db
def test_home_page_shows_own_organisation_only(suzuki: Any, yamada: Any) -> None:
    page = _client("yamada").get("/").content.decode()
    assert "富山市管工事協同組合" in page
    assert "水戸市議会" not in page


@pytest.mark.django_db
def test_audit_log_of_another_organisation_is_out_of_reach(tanaka: Any, yamada: Any) -> None:
    assert _client("yamada").get("/audit/").status_code == 403
    page = _client("tanaka").get("/audit/").content.decode()
    assert "create_organization" in page
    toyama_hashes = ChangeRecord.objects.filter(organization=yamada.organization)
    assert all(r.hash[:12] not in page for r in toyama_hashes)


@pytest.mark.django_db
def test_permissions_do_not_cross_organisations(tanaka: Any, yamada: Any) -> None:
    assert access.check(tanaka.user, "audit.read", tanaka.organization).allowed
    assert not access.check(tanaka.user, "audit.read", yamada.organization).allowed
    assert not access.check(yamada.user, "org.view", tanaka.organization).allowed


@pytest.mark.django_db
def test_administrative_role_without_totp_is_sent_to_set_it_up(mito: Any) -> None:
    from ..conftest import make_person  # noqa: PLC0415

    make_person(mito, "kato", "加藤 四郎", roles=("ciso",))
    response = _client("kato").get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


@pytest.mark.django_db
def test_temporary_password_must_be_changed_first(mito: Any) -> None:
    from ..conftest import make_person  # noqa: PLC0415

    make_person(mito, "endo", "遠藤 五郎", must_change_password=True)
    response = _client("endo").get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/"
