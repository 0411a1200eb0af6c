"""Keyset pages of the asset list (kitei.core.keyset, issue 16): stable, no OFFSET, links."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kitei.assets.models import Asset
from kitei.assets.services import bulk_register_assets, register_asset
from kitei.people.services import create_department
from tests.conftest import SETUP

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<a href="/assets/(\d+)/">')
SIZE = 50


@pytest.fixture
def client(suzuki: Any) -> Client:
    client = Client()
    assert client.login(username="suzuki", password=PASSWORD)
    return client


@pytest.fixture
def register(mito: Any, somu: Any) -> list[int]:
    """120 assets, newest first as the list shows them; 40 of them share one timestamp."""
    rows = [
        {"name": f"文書{n:03d}", "department": somu, "form": "paper", "unclear": True}
        for n in range(120)
    ]
    ids = bulk_register_assets(mito, actor=SETUP, rows=rows)
    start = timezone.now() - timedelta(days=1)
    for n, pk in enumerate(ids):  # distinct times but for a run of equal ones in the middle
        at = start + timedelta(seconds=min(n, 40) if n < 80 else n)
        Asset.objects.filter(pk=pk).update(created_at=at)
    order = Asset.objects.filter(organization=mito).order_by("-created_at", "-pk")
    return list(order.values_list("pk", flat=True))


def _page(client: Client, **params: Any) -> tuple[list[int], str]:
    response = client.get("/assets/", params)
    assert response.status_code == 200
    html = response.content.decode()
    return [int(pk) for pk in ROW.findall(html)], html


def _link(html: str, rel: str) -> dict[str, str]:
    found = re.search(rf'href="\?([^"]*)" rel="{rel}"', html)
    assert found, rel
    return dict(pair.split("=") for pair in found.group(1).replace("&amp;", "&").split("&"))


def test_next_walks_the_whole_list_once_in_order(client: Client, register: list[int]) -> None:
    seen, html = _page(client)
    assert 'rel="prev"' not in html
    while 'rel="next"' in html:
        rows, html = _page(client, **_link(html, "next"))
        assert len(rows) <= SIZE
        seen += rows
    assert seen == register  # every asset once, in the list's order, across equal times
    assert "全 120 件" in html


def test_previous_and_last_pages(client: Client, register: list[int]) -> None:
    first, html = _page(client)
    second, html = _page(client, **_link(html, "next"))
    assert second == register[SIZE : 2 * SIZE]
    back, _html = _page(client, **_link(html, "prev"))
    assert back == first == register[:SIZE]
    last, html = _page(client, last=1)
    assert last == register[-SIZE:]
    assert 'rel="next"' not in html
    before_last, html = _page(client, **_link(html, "prev"))
    assert before_last == register[-2 * SIZE : -SIZE]


def test_a_row_added_meanwhile_moves_nothing_between_pages(
    client: Client, register: list[int], mito: Any, somu: Any
) -> None:
    _first, html = _page(client)
    register_asset(mito, actor=SETUP, name="新文書", department=somu, form="paper", unclear=True)
    second, _html = _page(client, **_link(html, "next"))
    assert second == register[SIZE : 2 * SIZE]


def test_deep_pages_use_no_offset(client: Client, register: list[int]) -> None:
    with CaptureQueriesContext(connection) as captured:
        _page(client, after=register[99])
        _page(client, before=register[10])
        _page(client, last=1)
    sql = " ".join(q["sql"] for q in captured.captured_queries).upper()
    assert " OFFSET " not in sql
    assert " LIMIT 51" in sql


def test_a_bad_or_foreign_page_key_is_refused(
    client: Client, register: list[int], toyama: Any
) -> None:
    office = create_department(toyama, actor=SETUP, name="事務局")
    foreign = register_asset(
        toyama, actor=SETUP, name="他組織", department=office, form="paper", unclear=True
    )
    for params in ({"after": "x1"}, {"before": str(foreign.pk)}, {"after": "99999999"}):
        response = client.get("/assets/", params)
        assert response.status_code == 400
        page = response.content.decode()
        assert "検索条件に誤りがあります" in page
        assert not ROW.findall(page)
    # A key the filters leave out is not in the list either.
    response = client.get("/assets/", {"after": register[-1], "q": "文書119"})
    assert response.status_code == 400


def test_the_export_links_leave_the_page_out(client: Client, register: list[int]) -> None:
    _rows, html = _page(client, after=register[49], form="paper")
    assert 'href="/assets/export/?form=paper"' in html


def test_the_total_is_counted_up_to_a_thousand(
    client: Client, mito: Any, somu: Any, monkeypatch: Any
) -> None:
    from kitei.core import keyset  # noqa: PLC0415

    monkeypatch.setattr(keyset, "COUNT_LIMIT", 3)
    rows = [
        {"name": f"文書{n}", "department": somu, "form": "paper", "unclear": True} for n in range(4)
    ]
    bulk_register_assets(mito, actor=SETUP, rows=rows)
    _rows, html = _page(client)
    assert "1,000 件以上" in html  # the template's words for more than COUNT_LIMIT
    _rows, html = _page(client, q="文書3")
    assert "全 1 件" in html
    with CaptureQueriesContext(connection) as captured:
        _page(client)
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(*)" in q["sql"]]
    assert counts
    assert all("LIMIT 4" in sql for sql in counts)
