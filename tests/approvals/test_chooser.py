"""The request form's choosers (approvals.chooser): search-as-you-type, never the whole register.

The cast is tests/approvals/conftest.py's: `suzuki` staff of mito, `roster` 議員名簿 and
`minutes` 会議録の写し of 総務課, `council_system`; toyama is another organisation.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from kitei.approvals.chooser import CHOICES_LIMIT
from kitei.approvals.models import Request
from kitei.assets.models import Asset
from kitei.people.services import create_department
from tests.conftest import SETUP

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

OPTION = re.compile(r'<input type="radio" name="(asset|system)" value="(\d+)"')


def client_for(person: Any) -> Client:
    client = Client()
    assert client.login(username=person.user.username, password=PASSWORD)
    return client


def _options(html: str, kind: str = "asset") -> list[int]:
    return [int(pk) for name, pk in OPTION.findall(html) if name == kind]


def _bulk_assets(org: Any, department: Any, count: int, name: str = "文書") -> None:
    """Setup rows only (no ChangeRecords): a register of `count` assets."""
    Asset.objects.bulk_create(
        Asset(
            organization=org,
            name=f"{name}{n:05d}",
            department=department,
            form="electronic",
            classification={"confidentiality": "1"},
        )
        for n in range(count)
    )


@pytest.fixture
def theirs(toyama: Any) -> Asset:
    """An asset of another organisation whose name also holds 名簿."""
    department = create_department(toyama, actor=SETUP, name="事務局")
    return Asset.objects.create(
        organization=toyama,
        name="組合員名簿",
        department=department,
        form="electronic",
        classification={},
    )


def test_chooser_finds_partial_names_of_the_organisation_only(
    suzuki: Any, roster: Any, minutes: Any, theirs: Asset
) -> None:
    response = client_for(suzuki).get("/approvals/choose/asset/", {"asset_q": "名簿"})
    assert response.status_code == 200
    html = response.content.decode()
    assert _options(html) == [roster.pk]  # 名簿 in 議員名簿; not 組合員名簿 of toyama
    assert "議員名簿（総務課）" in html
    assert "組合員名簿" not in html
    assert "会議録の写し" not in html


def test_chooser_shows_at_most_the_limit_and_says_there_are_more(suzuki: Any, somu: Any) -> None:
    _bulk_assets(suzuki.organization, somu, CHOICES_LIMIT + 15)
    html = client_for(suzuki).get("/approvals/choose/asset/", {"asset_q": "文書"}).content.decode()
    assert len(_options(html)) == CHOICES_LIMIT
    assert "ほかにも候補があります" in html


def test_chooser_keeps_the_chosen_asset_first_and_leaves_out_disposed_ones(
    suzuki: Any, roster: Any, minutes: Any
) -> None:
    Asset.objects.filter(pk=minutes.pk).update(disposed_at="2026-01-01T00:00:00Z")
    client = client_for(suzuki)
    html = client.get(
        "/approvals/choose/asset/", {"asset_q": "会議録", "asset": str(roster.pk)}
    ).content.decode()
    assert _options(html) == [roster.pk]  # chosen before; 会議録の写し is 廃棄済み
    assert f'value="{roster.pk}" checked' in html


def test_system_chooser_searches_systems(suzuki: Any, council_system: Any) -> None:
    response = client_for(suzuki).get("/approvals/choose/system/", {"system_q": "議会"})
    html = response.content.decode()
    assert _options(html, "system") == [council_system.pk]


def test_chooser_is_refused_to_someone_without_an_organisation(client: Client) -> None:
    assert client.get("/approvals/choose/asset/").status_code == 302  # to the login page


def test_form_refuses_an_asset_of_another_organisation(suzuki: Any, theirs: Asset) -> None:
    response = client_for(suzuki).post(
        "/approvals/new/", {"action": "asset.take_out", "asset": theirs.pk, "reason": "資料"}
    )
    assert response.status_code == 400
    assert "正しく選択してください" in response.content.decode()
    assert not Request.objects.exists()


def test_form_without_javascript_takes_a_typed_name_or_id(suzuki: Any, roster: Any) -> None:
    client = client_for(suzuki)
    for typed in ("議員名簿", str(roster.pk)):
        data = {"action": "device.use_non_designated", "asset_q": typed, "preview": "1"}
        page = client.post("/approvals/new/", data).content.decode()
        assert f'value="{roster.pk}" checked' in page, typed


def test_form_without_javascript_asks_to_choose_among_several(
    suzuki: Any, roster: Any, theirs: Asset
) -> None:
    Asset.objects.create(
        organization=roster.organization,
        name="職員名簿",
        department=roster.department,
        form="paper",
        classification={},
    )
    response = client_for(suzuki).post(
        "/approvals/new/", {"action": "asset.take_out", "asset_q": "名簿", "reason": "資料"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "「名簿」を名称に含む情報資産が複数あります" in html
    assert len(_options(html)) == 2  # both of mito's, as radio buttons; toyama's is not
    assert not Request.objects.exists()


def test_form_size_does_not_grow_with_the_register(suzuki: Any, somu: Any) -> None:
    client = client_for(suzuki)
    _bulk_assets(suzuki.organization, somu, 10)
    small = len(client.get("/approvals/new/").content)
    _bulk_assets(suzuki.organization, somu, 990, name="記録")
    large = len(client.get("/approvals/new/").content)
    assert abs(large - small) < 4_000  # the small register was listed whole; this one is not
    assert large < 100_000


def test_error_summary_links_to_the_search_field(suzuki: Any, theirs: Asset) -> None:
    html = (
        client_for(suzuki)
        .post("/approvals/new/", {"action": "asset.take_out", "asset": theirs.pk, "reason": "x"})
        .content.decode()
    )
    assert 'href="#id_asset"' in html
    assert '<input type="search" name="asset_q" id="id_asset"' in html
