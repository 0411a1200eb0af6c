"""The asset register pages: list and filters, the asset page, keepers' changes, isolation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from kitei.assets.models import Asset
from kitei.assets.services import register_asset, set_medium_contents
from kitei.core.models import ChangeRecord
from kitei.people.services import create_department
from tests.conftest import SETUP

from ..conftest import PASSWORD, activate_totp, make_org, make_person

pytestmark = pytest.mark.django_db

C3B = {"機密性": "3B", "完全性": "2", "可用性": "1"}
LOWEST = {"機密性": "1", "完全性": "1", "可用性": "1"}
# Session, account and gate (about 8) plus the page's own: count, page, departments,
# people for the owner filter. The bound does not grow with the number of assets.
MAX_QUERIES = 14
ASSET_LINK = re.compile(r'href="/assets/\d+/"')


def client_for(username: str) -> Client:
    """A client logged in as `username` (the cast's shared password)."""
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _actions(org: Any) -> list[str]:
    return list(ChangeRecord.objects.filter(organization=org).values_list("action", flat=True))


def _asset(org: Any, dept: Any, name: str, classification: Any = None, **fields: Any) -> Asset:
    fields.setdefault("form", "electronic")
    unclear = classification is None
    return register_asset(
        org,
        actor=SETUP,
        name=name,
        department=dept,
        classification=classification,
        unclear=unclear,
        **fields,
    )


@pytest.fixture
def ito(mito: Any, somu: Any) -> Any:
    """伊藤, organisation administrator of mito (with TOTP, as administrators must)."""
    person = make_person(mito, "ito", "伊藤 五郎", department=somu, is_org_admin=True)
    activate_totp(person)
    return person


@pytest.fixture
def manager(sato: Any) -> Any:
    """佐藤, 情報セキュリティ管理者 of 総務課 (an administrative role: TOTP)."""
    activate_totp(sato)
    return sato


@pytest.fixture
def gijika(mito: Any) -> Any:
    return create_department(mito, actor=SETUP, name="議事課")


def test_list_shows_assets_with_their_class_in_the_packs_words(
    mito: Any, somu: Any, suzuki: Any
) -> None:
    _asset(mito, somu, "議員名簿", C3B)
    _asset(mito, somu, "受付文書", None, form="paper")
    page = client_for("suzuki").get("/assets/").content.decode()
    table = page.split("<tbody>")[1]
    assert "議員名簿" in table
    assert "機密性3B・完全性2・可用性1" in table
    assert "判断待ち" in table
    assert "情報資産を登録" not in page  # staff read the register, keepers change it


def test_list_filters_by_every_field_in_the_query_string(
    mito: Any, somu: Any, gijika: Any, sato: Any, suzuki: Any
) -> None:
    _asset(mito, somu, "議員名簿", C3B, owner=sato)
    _asset(mito, gijika, "本会議録", {**LOWEST, "完全性": "2"}, form="paper")
    _asset(mito, gijika, "会議録音データ", {**C3B, "機密性": "2"}, form="medium")
    client = client_for("suzuki")

    def names(**params: Any) -> set[str]:
        table = client.get("/assets/", params).content.decode().split("<tbody>")[1]
        return {n for n in ("議員名簿", "本会議録", "会議録音データ") if n in table}

    assert names() == {"議員名簿", "本会議録", "会議録音データ"}
    assert names(department=gijika.pk) == {"本会議録", "会議録音データ"}
    assert names(confidentiality="3B") == {"議員名簿"}
    assert names(integrity="2") == {"議員名簿", "本会議録", "会議録音データ"}
    assert names(availability="1") == {"議員名簿", "本会議録", "会議録音データ"}
    assert names(**{"機密性": "2"}) == {"会議録音データ"}  # the axis by its title, as the API
    assert names(form="paper") == {"本会議録"}
    assert names(owner=sato.pk) == {"議員名簿"}
    assert names(q="会議録") == {"本会議録", "会議録音データ"}
    assert names(q="録音", department=gijika.pk, form="medium") == {"会議録音データ"}
    page = client.get("/assets/", {"confidentiality": "3B"}).content.decode()
    assert '<option value="3B" selected>' in page


def test_unclear_filter(mito: Any, somu: Any, suzuki: Any) -> None:
    _asset(mito, somu, "受付文書", None)
    _asset(mito, somu, "議員名簿", C3B)
    table = client_for("suzuki").get("/assets/", {"status": "unclear"}).content.decode()
    assert "受付文書" in table.split("<tbody>")[1]
    assert "議員名簿" not in table.split("<tbody>")[1]


def test_list_is_paginated_by_the_database_with_bounded_queries(
    mito: Any, somu: Any, suzuki: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for("suzuki")
    _asset(mito, somu, "資産 000", C3B)
    client.get("/assets/")  # warm the pack engine's cache
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get("/assets/").status_code == 200
    for n in range(1, 61):
        _asset(mito, somu, f"資産 {n:03d}", C3B, owner=None)
    with django_assert_max_num_queries(MAX_QUERIES):
        first = client.get("/assets/").content.decode()
    last_key = int(re.findall(r"after=(\d+)", first)[0])
    with django_assert_max_num_queries(MAX_QUERIES):
        second = client.get("/assets/", {"after": last_key, "confidentiality": "3B"}).content
    assert len(ASSET_LINK.findall(first)) == 50
    assert len(ASSET_LINK.findall(second.decode())) == 11  # 61 assets, 50 a page
    assert "全 61 件" in second.decode()
    assert 'rel="next"' not in second.decode()
    # The previous page keeps the filter and starts before the page's first row.
    assert re.search(r'\?confidentiality=3B&amp;before=\d+" rel="prev"', second.decode())
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get("/assets/", {"q": "資産", "department": somu.pk, "form": "electronic"})


def test_asset_page_shows_restrictions_and_label_with_clauses(
    mito: Any, somu: Any, suzuki: Any
) -> None:
    asset = _asset(mito, somu, "議員名簿", C3B, storage_location="書庫A")
    page = client_for("suzuki").get(f"/assets/{asset.pk}/").content.decode()
    assert "機密性3B・完全性2・可用性1" in page
    restrictions = page.split('id="restrictions"')[1]
    assert "必要以上の複製及び配付禁止" in restrictions
    assert "バックアップ、電子署名付与" in restrictions
    assert "3(1)" in restrictions
    label = page.split('id="label"')[1].split("</section>")[0]
    assert '<p class="stamp">機密性3B・完全性2・可用性1</p>' in label
    assert "3(2)イ" in label
    assert "書庫A" in page


def test_lowest_class_needs_no_label_as_the_pack_says(mito: Any, somu: Any, suzuki: Any) -> None:
    asset = _asset(mito, somu, "庁内報", LOWEST)
    page = client_for("suzuki").get(f"/assets/{asset.pk}/").content.decode()
    label = page.split('id="label"')[1].split("</section>")[0]
    assert "表示不要" in label
    assert "3(2)イ" in label
    assert "全てにおいて1に分類されるものは、この限りでない" in label
    assert "ポリシーが定める取扱制限はありません" in page


def test_pack_without_label_principle_shows_no_label(toyama: Any, yamada: Any) -> None:
    dept = create_department(toyama, actor=SETUP, name="事務局")
    asset = _asset(toyama, dept, "組合員名簿", {"重要性分類": "I"})
    page = client_for("yamada").get(f"/assets/{asset.pk}/").content.decode()
    assert "重要性分類I" in page
    assert 'id="label"' not in page
    assert 'id="restrictions"' in page


def test_pack_without_a_scheme_says_so_and_registers_unclear(db: None) -> None:
    org = make_org("gamagori", "gamagori-city", "蒲郡市")
    dept = create_department(org, actor=SETUP, name="総務課")
    admin = make_person(org, "gama-admin", "蒲郡 管理", department=dept, is_org_admin=True)
    activate_totp(admin)
    client = client_for("gama-admin")
    form = client.get("/assets/add/").content.decode()
    assert "分類の基準がないため" in form
    response = client.post(
        "/assets/add/",
        {"name": "住民票写し", "department": dept.pk, "form": "paper", "disclosure": "undecided"},
    )
    assert response.status_code == 302
    asset = Asset.objects.get(organization=org)
    assert asset.classification_status == "unclear"
    page = client.get(f"/assets/{asset.pk}/").content.decode()
    assert "分類の基準（段階）と取扱制限の定めがありません" in page
    assert "1.6(2)" in page  # the clause that commits to classify
    unclear = page.split('id="unclear"')[1].split("</section>")[0]
    assert "誰が判断するかの定めがありません" in unclear
    assert "1.9" in unclear  # the pack's clause for what it does not say


def test_unclear_asset_names_who_decides_and_only_they_classify(
    mito: Any, somu: Any, manager: Any, ito: Any, suzuki: Any
) -> None:
    asset = _asset(mito, somu, "受付文書", None, form="paper")
    page = client_for("suzuki").get(f"/assets/{asset.pk}/").content.decode()
    unclear = page.split('id="unclear"')[1].split("</section>")[0]
    assert "情報セキュリティ管理者" in unclear
    assert "3(2)エ" in unclear
    assert "分類を決定する" not in unclear
    url = f"/assets/{asset.pk}/classify/"
    data = {"class_confidentiality": "2", "class_integrity": "1", "class_availability": "1"}
    assert client_for("suzuki").post(url, data).status_code == 403
    assert client_for("ito").post(url, data).status_code == 403  # the pack names the manager
    edit = {"name": "受付文書", "department": somu.pk, "form": "paper", "disclosure": "undecided"}
    refused = client_for("ito").post(f"/assets/{asset.pk}/edit/", {**edit, **data})
    assert refused.status_code == 400
    assert (
        "分類が不明な資産の分類は情報セキュリティ管理者が判断します。" in refused.content.decode()
    )
    client = client_for("sato")
    assert "分類を決定する" in client.get(f"/assets/{asset.pk}/").content.decode()
    bad = client.post(url, {"class_confidentiality": "2"})
    assert bad.status_code == 400
    assert "完全性を選んでください" in bad.content.decode()
    assert client.post(url, data).status_code == 302
    asset.refresh_from_db()
    assert asset.classification_status == "decided"
    assert asset.classification == {"confidentiality": "2", "integrity": "1", "availability": "1"}
    record = ChangeRecord.objects.filter(action="classify_asset").get()
    assert record.actor_name == "sato"


def test_manager_of_another_department_does_not_decide(
    mito: Any, gijika: Any, manager: Any
) -> None:
    asset = _asset(mito, gijika, "陳情書", None, form="paper")
    data = {"class_confidentiality": "2", "class_integrity": "1", "class_availability": "1"}
    assert client_for("sato").post(f"/assets/{asset.pk}/classify/", data).status_code == 403


def test_administrator_registers_an_asset_and_the_change_is_recorded(
    mito: Any, somu: Any, ito: Any, sato: Any
) -> None:
    client = client_for("ito")
    form = client.get("/assets/add/").content.decode()
    assert "機密性3B" in form
    assert "分類が不明" in form
    response = client.post(
        "/assets/add/",
        {
            "name": "議員名簿",
            "department": somu.pk,
            "owner": sato.pk,
            "form": "electronic",
            "disclosure": "not_public",
            "class_confidentiality": "3B",
            "class_integrity": "2",
            "class_availability": "1",
        },
    )
    assert response.status_code == 302
    asset = Asset.objects.get(name="議員名簿")
    assert response["Location"] == f"/assets/{asset.pk}/"
    assert asset.classification == {"confidentiality": "3B", "integrity": "2", "availability": "1"}
    assert asset.created_by == ito.user
    assert _actions(mito)[-1] == "register_asset"
    # The detail page names who registered it as mito's people register does.
    assert f"（{ito.name}）" in client.get(f"/assets/{asset.pk}/").content.decode()


def test_bad_input_gets_japanese_errors_and_writes_nothing(mito: Any, somu: Any, ito: Any) -> None:
    before = (Asset.objects.count(), ChangeRecord.objects.count())
    client = client_for("ito")
    response = client.post(
        "/assets/add/", {"name": "", "department": somu.pk, "form": "paper", "disclosure": "x"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "このフィールドは必須です。" in page
    assert "機密性を選んでください（不明な場合は「分類が不明」）。" in page
    assert "正しく選択してください" in page
    response = client.post(
        "/assets/add/",
        {
            "name": "x" * 201,
            "department": 999999,
            "form": "electronic",
            "disclosure": "public",
            "unclear": "on",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "200 文字以下" in page or "200文字以下" in page
    assert (Asset.objects.count(), ChangeRecord.objects.count()) == before


def test_manager_keeps_only_own_department(
    mito: Any, somu: Any, gijika: Any, manager: Any, suzuki: Any
) -> None:
    client = client_for("sato")
    form = client.get("/assets/add/").content.decode()
    assert "総務課" in form
    assert "議事課" not in form.split('name="department"')[1].split("</select>")[0]
    data = {"name": "x", "form": "paper", "disclosure": "public", "unclear": "on"}
    refused = client.post("/assets/add/", {**data, "department": gijika.pk})
    assert refused.status_code == 400
    assert client.post("/assets/add/", {**data, "department": somu.pk}).status_code == 302
    other = _asset(mito, gijika, "本会議録", LOWEST)
    assert client.get(f"/assets/{other.pk}/edit/").status_code == 403
    assert "編集する" not in client.get(f"/assets/{other.pk}/").content.decode()
    assert client_for("suzuki").get("/assets/add/").status_code == 403


def test_edit_changes_entry_and_class_in_one_step(mito: Any, somu: Any, ito: Any) -> None:
    asset = _asset(mito, somu, "予算書", LOWEST, form="paper")
    client = client_for("ito")
    page = client.get(f"/assets/{asset.pk}/edit/").content.decode()
    assert 'value="予算書"' in page
    data = {
        "name": "予算書（令和8年度）",
        "department": somu.pk,
        "form": "paper",
        "disclosure": "public",
        "class_confidentiality": "2",
        "class_integrity": "2",
        "class_availability": "1",
    }
    assert client.post(f"/assets/{asset.pk}/edit/", data).status_code == 302
    asset.refresh_from_db()
    assert asset.name == "予算書（令和8年度）"
    assert asset.classification["confidentiality"] == "2"
    assert _actions(mito)[-2:] == ["update_asset", "classify_asset"]
    back = client.post(f"/assets/{asset.pk}/edit/", {**data, "name": "別名", "unclear": "on"})
    assert back.status_code == 400
    assert "「分類が不明」に戻すことはできません" in back.content.decode()
    asset.refresh_from_db()
    assert asset.name == "予算書（令和8年度）"  # nothing half-written


def test_copy_keeps_the_originals_class_and_pages_link_both(mito: Any, somu: Any, ito: Any) -> None:
    original = _asset(mito, somu, "議員名簿", C3B)
    client = client_for("ito")
    form = client.get(f"/assets/{original.pk}/copy/").content.decode()
    assert "議員名簿（写し）" in form
    assert "class_confidentiality" not in form
    response = client.post(
        f"/assets/{original.pk}/copy/",
        {
            "name": "議員名簿（写し）",
            "department": somu.pk,
            "form": "paper",
            "disclosure": "public",
        },
    )
    assert response.status_code == 302
    copy = Asset.objects.get(copy_of=original)
    assert copy.classification == original.classification
    page = client.get(f"/assets/{copy.pk}/").content.decode()
    assert "複製元" in page
    assert f'href="/assets/{original.pk}/"' in page
    assert "機密性3B・完全性2・可用性1" in page
    copies = client.get(f"/assets/{original.pk}/").content.decode().split('id="copies"')[1]
    assert "議員名簿（写し）" in copies
    assert "3(2)ア(ウ)" in copies


def test_medium_page_lists_contents_and_content_lists_media(
    mito: Any, somu: Any, suzuki: Any
) -> None:
    minutes = _asset(mito, somu, "会議録音データ", C3B)
    usb = _asset(mito, somu, "USBメモリ（議事課1）", LOWEST, form="medium")
    set_medium_contents(usb, actor=SETUP, contents=[minutes])
    client = client_for("suzuki")
    page = client.get(f"/assets/{usb.pk}/").content.decode()
    assert "会議録音データ" in page.split('id="contents"')[1]
    assert "3(2)オ(ウ)" in page.split('id="contents"')[1]
    assert "機密性3B・完全性2・可用性1" in page  # the medium took the highest class
    held = client.get(f"/assets/{minutes.pk}/").content.decode()
    assert "USBメモリ（議事課1）" in held.split('id="media"')[1]


def test_another_organisations_asset_answers_404(
    mito: Any, somu: Any, yamada: Any, toyama: Any
) -> None:
    asset = _asset(mito, somu, "議員名簿", C3B)
    client = client_for("yamada")
    for url in ("", "edit/", "copy/"):
        assert client.get(f"/assets/{asset.pk}/{url}").status_code in (403, 404)
    assert client.get(f"/assets/{asset.pk}/").status_code == 404
    assert client.post(f"/assets/{asset.pk}/classify/", {}).status_code == 404
    assert "議員名簿" not in client.get("/assets/").content.decode()


def test_anonymous_users_are_sent_to_log_in(mito: Any) -> None:
    response = Client().get("/assets/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_page_counts_assets_by_class_and_department(
    mito: Any, somu: Any, gijika: Any, suzuki: Any
) -> None:
    _asset(mito, somu, "議員名簿", C3B)
    _asset(mito, somu, "職員名簿", C3B)
    _asset(mito, gijika, "本会議録", LOWEST)
    _asset(mito, gijika, "受付文書", None)
    page = client_for("suzuki").get("/").content.decode()
    registers = page.split('id="registers"')[1].split("</section>")[0]
    assert "機密性別の情報資産" in registers
    assert 'href="/assets/?confidentiality=3B">機密性3B</a></th>' in registers
    counts = re.findall(r"<td>(\d+)</td>", registers.split("機密性別の情報資産")[1])
    assert counts[:5] == ["0", "2", "0", "0", "1"]  # 3A 3B 3C 2 1
    assert "部署別の情報資産" in registers
    assert re.search(r"総務課</a></th><td>2</td>", registers)
    assert re.search(r"議事課</a></th><td>2</td>", registers)
