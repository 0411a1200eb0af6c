"""The home page's register figures (assets.queries.counts), read from indexes (issue 16).

Assets in use only; by class only those whose class is decided; per department and in the
total every asset in use, unclear ones included. Disposed assets (廃棄済み) count nowhere.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kitei.assets import queries
from kitei.assets.models import Asset
from kitei.assets.services import register_asset
from kitei.people.services import create_department
from tests.conftest import SETUP

pytestmark = pytest.mark.django_db

C3B = {"機密性": "3B", "完全性": "2", "可用性": "1"}
LOWEST = {"機密性": "1", "完全性": "1", "可用性": "1"}


def _asset(org: Any, dept: Any, name: str, classification: Any = None) -> Asset:
    return register_asset(
        org,
        actor=SETUP,
        name=name,
        department=dept,
        form="electronic",
        classification=classification,
        unclear=classification is None,
    )


def _levels(figures: queries.RegisterCounts, axis: str) -> dict[str, int]:
    return {c.level: c.count for a, _t, levels in figures.by_axis if a == axis for c in levels}


def test_counts_leave_out_disposed_assets_and_unclear_ones_by_class(
    mito: Any, somu: Any, toyama: Any
) -> None:
    gijika = create_department(mito, actor=SETUP, name="議事課")
    _asset(mito, somu, "議員名簿", C3B)
    _asset(mito, somu, "職員名簿", C3B)
    _asset(mito, gijika, "本会議録", LOWEST)
    _asset(mito, gijika, "受付文書")  # unclear: in the department's count, not by class
    gone = _asset(mito, gijika, "旧会議録", LOWEST)
    gone_unclear = _asset(mito, somu, "旧名簿")
    Asset.objects.filter(pk__in=[gone.pk, gone_unclear.pk]).update(disposed_at=timezone.now())
    _asset(toyama, create_department(toyama, actor=SETUP, name="事務局"), "組合員名簿")

    figures = queries.counts(mito)

    assert figures.total == 4
    assert figures.unclear == 1
    assert _levels(figures, "confidentiality") == {"3A": 0, "3B": 2, "3C": 0, "2": 0, "1": 1}
    assert _levels(figures, "integrity") == {"2": 2, "1": 1}
    assert [(name, n) for _pk, name, n in figures.by_department] == [("総務課", 2), ("議事課", 2)]


def test_counts_make_a_constant_number_of_queries(mito: Any, somu: Any) -> None:
    for n in range(30):
        _asset(mito, somu, f"文書{n}", C3B if n % 3 else None)
    with CaptureQueriesContext(connection) as captured:
        queries.counts(mito)
    axes = len(queries.pack_of(mito).classification.axes)
    assert len(captured) <= axes + 4  # per status and department, set aside, names, axes
