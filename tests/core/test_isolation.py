"""A user of one organisation can neither see nor change anything of another.

Also for an account with memberships in two organisations: every page and API route shows
only the active organisation's data, and switching changes it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kitei.core import access
from kitei.core.models import ChangeRecord, Organization
from kitei.people.models import Person

from ..conftest import PASSWORD, SETUP
from . import tenants


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


# --- memberships in several organisations ------------------------------------------------


def _chain_length(org: Any) -> int:
    return int(Organization.objects.get(pk=org.pk).chain_seq)


def _no_marks(text: str, marks: tuple[str, ...], where: str) -> None:
    leaked = [m for m in marks if m in text]
    assert not leaked, f"{where} shows another organisation's data: {leaked}"


def _walk_pages(client: Client, own: tenants.Tenant, other: tenants.Tenant) -> str:
    """GET every page (own objects and the other's), POST to the other's; returns all text."""
    seen = []
    before = _chain_length(other.org)
    for name, kind in tenants.page_routes():
        if kind is None:
            response = client.get(reverse(name))
            assert response.status_code < 500, name
            text = tenants.text_of(response)
            _no_marks(text, other.marks, name)
            seen.append(text)
            continue
        mine = reverse(name, args=[own.objects[kind]])
        response = client.get(mine)
        assert response.status_code < 500, mine
        text = tenants.text_of(response)
        _no_marks(text, other.marks, mine)
        seen.append(text)
        theirs = reverse(name, args=[other.objects[kind]])
        for response in (client.get(theirs), client.post(theirs, {})):
            assert response.status_code in (403, 404, 405), (theirs, response.status_code)
            _no_marks(tenants.text_of(response), other.marks, theirs)
    assert _chain_length(other.org) == before  # nothing of the other organisation changed
    return "".join(seen)


def _api_operations() -> list[tuple[str, str, list[str], list[str]]]:
    """(method, path, path parameters, required query parameters) of every API operation."""
    from kitei.api.api import api  # noqa: PLC0415 - the URL configuration is loaded

    found = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, op in operations.items():
            params = op.get("parameters", [])
            in_path = [p["name"] for p in params if p["in"] == "path"]
            query = [p["name"] for p in params if p["in"] == "query" and p.get("required")]
            assert set(in_path) <= set(tenants.API_OBJECTS), (path, in_path)
            assert set(query) <= set(tenants.API_QUERY), (path, query)
            found.append((method, path, in_path, query))
    return found


def _api_url(path: str, params: list[str], tenant: tenants.Tenant) -> str:
    for name in params:
        path = path.replace("{" + name + "}", str(tenant.objects[tenants.API_OBJECTS[name]]))
    return path


def _api_text(response: Any) -> str:
    """The JSON answer as readable text (the API escapes non-ASCII characters)."""
    return json.dumps(response.json(), ensure_ascii=False)


def _walk_api(client: Client, own: tenants.Tenant, other: tenants.Tenant) -> str:
    """Every read of the API on own rows and the other's; every write on the other's rows."""
    seen = []
    before = _chain_length(other.org)
    for method, path, params, query in _api_operations():
        data = {q: own.objects[tenants.API_QUERY[q]] for q in query}
        if method == "get":
            response = client.get(_api_url(path, params, own), data)
            assert response.status_code == 200, (path, response.content)
            _no_marks(_api_text(response), other.marks, path)
            seen.append(_api_text(response))
            if params or query:
                theirs = {q: other.objects[tenants.API_QUERY[q]] for q in query}
                response = client.get(_api_url(path, params, other), theirs)
                # Another organisation's row is not found; its book is no book of ours.
                assert response.status_code in (404, 422), (path, response.status_code)
                _no_marks(_api_text(response), other.marks, path)
        elif params:
            response = client.generic(
                method.upper(), _api_url(path, params, other), "{}", "application/json"
            )
            assert response.status_code in (403, 404, 422), (path, response.status_code)
            _no_marks(_api_text(response), other.marks, path)
    assert _chain_length(other.org) == before
    return "".join(seen)


@pytest.fixture
def two(evidence_dir: Any) -> tuple[Any, dict[str, tenants.Tenant]]:
    return tenants.build()


@pytest.mark.django_db
def test_a_member_of_two_organisations_chooses_one_and_the_choice_is_recorded(
    two: tuple[Any, dict[str, tenants.Tenant]],
) -> None:
    _kobayashi, orgs = two
    client = _client("kobayashi")
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, "/organization/")
    page = client.get("/organization/").content.decode()
    assert "水戸市議会" in page
    assert "富山市管工事協同組合" in page
    assert "支援団体（情報セキュリティクラウド等）" in page
    for path in ("/assets/", "/audit/", f"/people/{orgs['mito'].objects['person']}/"):
        assert client.get(path)["Location"] == "/organization/"
    response = client.post("/organization/switch/", {"organization": orgs["toyama"].org.pk})
    assert (response.status_code, response["Location"]) == (302, "/")
    home = client.get("/").content.decode()
    assert '<span class="org">富山市管工事協同組合</span>' in home
    record = ChangeRecord.objects.filter(organization=orgs["toyama"].org).last()
    assert record is not None
    assert (record.action, record.actor_name) == ("switch_organization", "kobayashi")
    # The header's switcher lists both; switching back changes every page.
    assert 'name="organization"' in home
    assert "水戸市議会</option>" in home
    client.post("/organization/switch/", {"organization": orgs["mito"].org.pk})
    assert '<span class="org">水戸市議会</span>' in client.get("/").content.decode()


@pytest.mark.django_db
def test_every_page_shows_only_the_active_organisations_data(
    two: tuple[Any, dict[str, tenants.Tenant]],
) -> None:
    _kobayashi, orgs = two
    client = _client("kobayashi")
    for own, other in (("mito", "toyama"), ("toyama", "mito")):
        client.post("/organization/switch/", {"organization": orgs[own].org.pk})
        seen = _walk_pages(client, orgs[own], orgs[other])
        missing = [m for m in orgs[own].marks if m not in seen]
        assert not missing, f"the walk never saw {own}'s {missing}: it proves nothing"


@pytest.mark.django_db
def test_every_api_route_answers_only_for_the_tokens_organisation(
    two: tuple[Any, dict[str, tenants.Tenant]],
) -> None:
    from kitei.core.tokens import create_api_token  # noqa: PLC0415

    kobayashi, orgs = two
    for own, other in (("mito", "toyama"), ("toyama", "mito")):
        _token, plain = create_api_token(kobayashi.user, actor=SETUP, organization=orgs[own].org)
        client = Client(headers={"Authorization": f"Bearer {plain}"})
        seen = _walk_api(client, orgs[own], orgs[other])
        # The API serves everything but the evidence files and the background imports.
        missing = [m for m in orgs[own].marks if m not in seen]
        assert missing == [f"{own}-evidence.pdf", f"{own}-import.csv"], missing


@pytest.mark.django_db
def test_a_token_needs_its_organisation_named_when_the_user_has_several(
    two: tuple[Any, dict[str, tenants.Tenant]],
) -> None:
    from django.core.exceptions import ValidationError  # noqa: PLC0415

    from kitei.core.tokens import create_api_token  # noqa: PLC0415

    kobayashi, _orgs = two
    with pytest.raises(ValidationError, match="複数の組織（toyama、mito）に所属しています"):
        create_api_token(kobayashi.user, actor=SETUP)


@pytest.mark.django_db
def test_an_ended_membership_is_refused_on_every_page_api_route_and_command(
    two: tuple[Any, dict[str, tenants.Tenant]],
    tmp_path: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from datetime import timedelta  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    from kitei.cli import main  # noqa: PLC0415
    from kitei.core.tokens import create_api_token  # noqa: PLC0415
    from kitei.people.memberships import end_membership  # noqa: PLC0415
    from kitei.people.models import Membership  # noqa: PLC0415

    kobayashi, orgs = two
    toyama = orgs["toyama"]
    yesterday = timezone.localdate() - timedelta(days=1)
    kobayashi_pages = _client("kobayashi")
    kobayashi_pages.post("/organization/switch/", {"organization": toyama.org.pk})
    yamada_pages = _client("yamada")
    tokens = [
        create_api_token(kobayashi.user, actor=SETUP, organization=toyama.org)[1],
        create_api_token(
            Person.objects.get(name="山田 三郎").user, actor=SETUP, organization=toyama.org
        )[1],
    ]
    for membership in Membership.objects.filter(organization=toyama.org):
        end_membership(toyama.org, actor=SETUP, membership=membership, on=yesterday)
    before = _chain_length(toyama.org)
    ended = f"この組織の所属期間は終了しています（組織「富山市管工事協同組合」、{yesterday}まで）。"

    # Pages: yamada's only membership has ended; every page (GET and POST) is refused.
    for name, kind in tenants.page_routes():
        url = reverse(name) if kind is None else reverse(name, args=[toyama.objects[kind]])
        for response in (yamada_pages.get(url), yamada_pages.post(url, {})):
            assert response.status_code == 403, (url, response.status_code)
            text = response.content.decode()
            assert ended in text, url
            _no_marks(text, toyama.marks, url)
    # kobayashi had chosen toyama: told once, cannot switch back, and mito acts again.
    response = kobayashi_pages.get("/assets/")
    assert response.status_code == 403
    assert ended in response.content.decode()
    response = kobayashi_pages.post("/organization/switch/", {"organization": toyama.org.pk})
    assert response.status_code == 403
    assert ended in response.content.decode()
    page = kobayashi_pages.get("/assets/").content.decode()
    assert "議員名簿" in page
    _no_marks(page, toyama.marks, "/assets/")

    # The API: every route refuses both tokens with 403 and the reason.
    for plain in tokens:
        client = Client(headers={"Authorization": f"Bearer {plain}"})
        for method, path, params, query in _api_operations():
            data = {q: toyama.objects[tenants.API_QUERY[q]] for q in query}
            url = _api_url(path, params, toyama)
            response = (
                client.get(url, data)
                if method == "get"
                else client.generic(method.upper(), url, "{}", "application/json")
            )
            assert response.status_code == 403, (method, path, response.status_code)
            body = response.json()
            assert (body["code"], body["detail"]) == ("membership_lapsed", ended)

    # Commands: neither --as nor a new token acts in toyama any more.
    upload = tmp_path / "assets.csv"
    upload.write_text("名称\n新しい資産\n", encoding="utf-8")
    capsys.readouterr()  # what the requests above logged
    for who in ("kobayashi", "yamada"):
        args = ["assets", "import", "--org", "toyama", "--as", who, str(upload)]
        assert main(args) == 2
        err = capsys.readouterr().err
        assert err == f"kitei: 「{who}」: {ended}\n"
    assert main(["token", "create", "--user", "kobayashi", "--org", "toyama"]) == 2
    assert capsys.readouterr().err == f"kitei: {ended}\n"
    assert _chain_length(toyama.org) == before  # nothing was written in toyama
