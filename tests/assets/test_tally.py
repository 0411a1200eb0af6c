"""The maintained counts behind the home page's figures (AssetTally, kept by triggers).

Whatever changes the register — a service, a bulk import, `QuerySet.update`, a delete —
the tally equals the counts taken from the register itself, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from kitei.assets import queries
from kitei.assets.models import Asset, AssetTally
from kitei.assets.services import (
    bulk_register_assets,
    classify_asset,
    register_asset,
    update_asset,
)
from kitei.people.services import create_department
from tests.conftest import SETUP

pytestmark = pytest.mark.django_db

C3B = {"機密性": "3B", "完全性": "2", "可用性": "1"}
LOWEST = {"機密性": "1", "完全性": "1", "可用性": "1"}


def _key(classification: Any) -> str:
    return repr(sorted((classification or {}).items()))


def _from_register() -> Counter[tuple[Any, ...]]:
    found: Counter[tuple[Any, ...]] = Counter()
    for asset in Asset.objects.all():
        key = (
            asset.organization_id,
            asset.department_id,
            asset.classification_status,
            asset.disposed_at is not None,
            _key(asset.classification),
        )
        found[key] += 1
    return found


def _from_tally() -> Counter[tuple[Any, ...]]:
    found: Counter[tuple[Any, ...]] = Counter()
    for row in AssetTally.objects.all():
        key = (
            row.organization_id,
            row.department_id,
            row.classification_status,
            row.disposed,
            _key(row.classification),
        )
        found[key] += row.n
    return +found  # groups fallen to 0 drop out


def test_the_triggers_exist_in_the_migrated_schema() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            names = {name for (name,) in cursor.fetchall()}
            assert {f"assets_asset_tally_{e}" for e in ("insert", "delete", "update")} <= names
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'assets_asset'::regclass")
            assert "assets_asset_tally" in {name for (name,) in cursor.fetchall()}


def test_the_tally_follows_every_way_the_register_changes(
    mito: Any, somu: Any, toyama: Any
) -> None:
    gijika = create_department(mito, actor=SETUP, name="議事課")

    def asset(name: str, department: Any, classification: Any = None) -> Asset:
        return register_asset(
            mito,
            actor=SETUP,
            name=name,
            department=department,
            form="electronic",
            classification=classification,
            unclear=classification is None,
        )

    meibo = asset("議員名簿", somu, C3B)
    asset("本会議録", gijika, LOWEST)
    memo = asset("受付メモ", somu)
    assert _from_tally() == _from_register()

    classify_asset(memo, actor=SETUP, classification=LOWEST)  # unclear → decided
    update_asset(meibo, actor=SETUP, department=gijika)  # moved
    assert _from_tally() == _from_register()

    rows = [
        {"name": f"文書{n}", "department": somu, "form": "paper", "unclear": n % 2 == 0}
        for n in range(20)
    ]
    for n, row in enumerate(rows):
        if not row["unclear"]:
            row["classification"] = C3B if n % 3 else LOWEST
    bulk_register_assets(mito, actor=SETUP, rows=rows)  # raw INSERTs
    assert _from_tally() == _from_register()

    Asset.objects.filter(name__startswith="文書1").update(disposed_at=timezone.now())
    Asset.objects.filter(name="文書2").update(classification={"confidentiality": "2"})
    Asset.objects.filter(name="文書4").delete()
    office = create_department(toyama, actor=SETUP, name="事務局")
    register_asset(
        toyama,
        actor=SETUP,
        name="組合員名簿",
        department=office,
        form="electronic",
        classification={"重要性分類": "I"},
    )
    assert _from_tally() == _from_register()

    # And the home page's figures read from it are the register's own.
    figures = queries.counts(mito)
    live = Asset.objects.filter(organization=mito, disposed_at__isnull=True)
    assert figures.total == live.count()
    assert figures.unclear == live.filter(classification_status="unclear").count()
    decided = live.filter(classification_status="decided")
    levels = Counter(a.classification.get("confidentiality") for a in decided)
    [axis] = [levels for a, _t, levels in figures.by_axis if a == "confidentiality"]
    shown = {c.level: c.count for c in axis}
    assert {k: v for k, v in shown.items() if v} == {k: v for k, v in levels.items() if k}
