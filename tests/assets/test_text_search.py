"""Search of the registers with the database's text search (kitei.core.textsearch, issue 16).

The same tests run on SQLite (FTS5, trigram tokenizer, kept in step by triggers) and on
PostgreSQL (pg_trgm indexes); each asserts what its database was given.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kitei.assets import queries as asset_queries
from kitei.assets.filters import AssetFilterSet
from kitei.assets.models import Asset
from kitei.assets.services import bulk_register_assets, register_asset, update_asset
from kitei.core import textsearch
from kitei.core.backup import tables_with_data
from kitei.people.services import create_department
from kitei.systems import queries as system_queries
from kitei.systems.filters import SystemFilterSet
from kitei.systems.services import register_system
from tests.conftest import SETUP

pytestmark = pytest.mark.django_db

LOW = {"機密性": "1", "完全性": "1", "可用性": "1"}


def _asset(org: Any, department: Any, name: str, description: str = "") -> Any:
    return register_asset(
        org,
        actor=SETUP,
        name=name,
        department=department,
        form="electronic",
        classification=LOW,
        description=description,
    )


def _found(org: Any, q: str) -> set[str]:
    filters = AssetFilterSet({"q": q}, organization=org)
    return set(filters.result().values_list("name", flat=True))


def _sql(org: Any, q: str) -> str:
    with CaptureQueriesContext(connection) as captured:
        _found(org, q)
    return "\n".join(query["sql"] for query in captured.captured_queries)


def test_the_migrated_schema_has_the_text_search_structures() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
            names = {name for (name,) in cursor.fetchall()}
            for table in ("assets_asset", "systems_system"):
                assert f"{table}_fts" in names
                # A later migration that rebuilds the table would drop these: this fails then.
                for event in ("insert", "delete", "update"):
                    assert f"{table}_fts_{event}" in names
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%trigram'")
            names = {name for (name,) in cursor.fetchall()}
            assert {
                "asset_name_trigram",
                "asset_description_trigram",
                "system_name_trigram",
            } <= names


def test_parts_of_japanese_names_and_descriptions_are_found(mito: Any, somu: Any) -> None:
    _asset(mito, somu, "議員名簿")
    _asset(mito, somu, "本会議録")
    _asset(mito, somu, "受付メモ", description="来庁者の会議録の閲覧申込み")
    _asset(mito, somu, "LGWAN接続系ファイルサーバ")
    assert _found(mito, "名簿") == {"議員名簿"}  # 2 characters: the LIKE fallback
    assert _found(mito, "員名簿") == {"議員名簿"}  # 3: the trigram index
    assert _found(mito, "議員名簿") == {"議員名簿"}
    assert _found(mito, "会議録") == {"本会議録", "受付メモ"}  # name or description
    assert _found(mito, "録") == {"本会議録", "受付メモ"}
    assert _found(mito, "lgwan接続") == {"LGWAN接続系ファイルサーバ"}  # Latin, any case
    assert _found(mito, "名簿議員") == set()  # the text as a whole, in order
    assert _found(mito, '議員"名簿') == set()  # a quote is text, not query syntax
    assert _found(mito, "AND") == set()  # nor are FTS5's words


def test_which_path_each_length_takes(mito: Any, somu: Any) -> None:
    _asset(mito, somu, "議員名簿")
    long_sql, short_sql = _sql(mito, "議員名簿"), _sql(mito, "名簿")
    assert "MATCH" not in short_sql
    assert "LIKE" in short_sql
    if connection.vendor == "sqlite":
        assert "assets_asset_fts MATCH" in long_sql
        assert textsearch.uses_fts(Asset.objects.all(), "議員名簿")
    else:  # PostgreSQL: UPPER(col) LIKE, which the pg_trgm indexes on UPPER(col) serve
        assert "UPPER(" in long_sql
        assert "LIKE" in long_sql
        assert not textsearch.uses_fts(Asset.objects.all(), "議員名簿")


def test_the_search_follows_every_way_the_register_changes(mito: Any, somu: Any) -> None:
    asset = _asset(mito, somu, "議員名簿")
    update_asset(asset, actor=SETUP, name="議会職員名簿")
    assert _found(mito, "議員名簿") == set()
    assert _found(mito, "職員名簿") == {"議会職員名簿"}
    update_asset(asset, actor=SETUP, description="連絡先の一覧表")
    assert _found(mito, "連絡先") == {"議会職員名簿"}
    # A bulk import (raw INSERTs) and a bulk UPDATE are searched at once.
    rows = [
        {"name": f"会計文書{n:03d}", "department": somu, "form": "paper", "unclear": True}
        for n in range(30)
    ]
    bulk_register_assets(mito, actor=SETUP, rows=rows)
    assert len(_found(mito, "会計文書")) == 30
    assert _found(mito, "会計文書017") == {"会計文書017"}
    Asset.objects.filter(name="会計文書017").update(name="監査文書017")
    assert _found(mito, "会計文書017") == set()
    assert _found(mito, "監査文書") == {"監査文書017"}


def test_another_organisations_rows_are_never_found(mito: Any, somu: Any, toyama: Any) -> None:
    _asset(mito, somu, "議員名簿")
    office = create_department(toyama, actor=SETUP, name="事務局")
    register_asset(
        toyama,
        actor=SETUP,
        name="議員名簿（別組織）",
        department=office,
        form="electronic",
        classification={"重要性分類": "I"},
    )
    assert _found(mito, "議員名簿") == {"議員名簿"}
    assert _found(mito, "名簿") == {"議員名簿"}
    assert [a.name for a in asset_queries.matching(mito, "議員名簿", limit=20)] == ["議員名簿"]


def test_the_request_form_choosers_search_names_only(mito: Any, somu: Any) -> None:
    _asset(mito, somu, "議員名簿")
    _asset(mito, somu, "受付メモ", description="議員名簿の写し")
    assert [a.name for a in asset_queries.matching(mito, "議員名簿", limit=20)] == ["議員名簿"]
    assert [a.name for a in asset_queries.matching(mito, "名簿", limit=20)] == ["議員名簿"]
    register_system(mito, actor=SETUP, name="議会情報システム", department=somu, zone="lgwan")
    register_system(mito, actor=SETUP, name="財務会計システム", department=somu, zone="lgwan")
    found = system_queries.matching(mito, "情報シス", limit=20)
    assert [s.name for s in found] == ["議会情報システム"]
    assert len(system_queries.matching(mito, "システム", limit=20)) == 2
    filters = SystemFilterSet({"q": "会計シス"}, organization=mito)
    assert list(filters.result().values_list("name", flat=True)) == ["財務会計システム"]


def test_text_search_tables_are_no_data_of_their_own(mito: Any, somu: Any) -> None:
    """A restore refuses a database holding data; the FTS5 tables are derived, never data."""
    assert textsearch.derived("assets_asset_fts")
    assert textsearch.derived("assets_asset_fts_data")
    assert not textsearch.derived("assets_asset")
    assert not any(textsearch.derived(t) for t in tables_with_data())
