"""approvals/0004 and records/0004: rows filed before numbering get their numbers in order.

Per organisation and fiscal year (of the filing in Japan time) for requests, per book as
well for entries; each counter is left at the last number given, so the next filing
continues the sequence.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("approvals", "0002_request_department"), ("records", "0002_entry_awaits_person_about")]
AFTER = [("approvals", "0005_request_number_unique"), ("records", "0005_entry_number_unique")]


@pytest.fixture
def executor(transactional_db: None) -> Iterator[MigrationExecutor]:
    """The database migrated back to before numbering; forward to the latest after."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _at(*parts: int) -> datetime:
    return timezone.make_aware(datetime(*parts))  # Japan time


def test_existing_requests_and_entries_are_numbered_in_order_of_filing(
    executor: MigrationExecutor,
) -> None:
    apps = executor.loader.project_state(BEFORE).apps
    org_model = apps.get_model("core", "Organization")
    person_model = apps.get_model("people", "Person")
    request_model = apps.get_model("approvals", "Request")
    entry_model = apps.get_model("records", "RecordEntry")
    mito, toyama = (
        org_model.objects.create(slug=s, name=s, pack_id="p", pack_version="1", pack_digest=s)
        for s in ("mito", "toyama")
    )
    people = {
        org.slug: person_model.objects.create(organization=org, name="職員")
        for org in (mito, toyama)
    }

    def request(org: Any, at: datetime) -> Any:
        row = request_model.objects.create(
            organization=org, action="asset.take_out", applicant=people[org.slug], reason="r",
            effect="permit", decision={}, request_data={}, pack_digest="d", state="permitted",
        )  # fmt: skip
        request_model.objects.filter(pk=row.pk).update(created_at=at)
        return row.pk

    def entry(org: Any, book: str, at: datetime) -> Any:
        row = entry_model.objects.create(organization=org, book=book, recorded_by=people[org.slug])
        entry_model.objects.filter(pk=row.pk).update(recorded_at=at)
        return row.pk

    # filed out of id order: the time of filing decides
    late = request(mito, _at(2026, 5, 2, 10))
    early = request(mito, _at(2026, 4, 1, 0, 30))  # 31 March 15:30 UTC: already 令和8年度
    before_april = request(mito, _at(2026, 3, 31, 23, 59))
    next_year = request(mito, _at(2027, 4, 1, 9))
    theirs = request(toyama, _at(2026, 6, 1, 9))
    disposal = [entry(mito, "disposal-record", _at(2026, 6, d, 9)) for d in (1, 2)]
    take_out = entry(mito, "x.take-out", _at(2026, 6, 3, 9))
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    numbers = dict(apps.get_model("approvals", "Request").objects.values_list("pk", "number"))
    assert numbers == {
        before_april: "R7-0001",
        early: "R8-0001",
        late: "R8-0002",
        next_year: "R9-0001",
        theirs: "R8-0001",
    }
    entries = dict(apps.get_model("records", "RecordEntry").objects.values_list("pk", "number"))
    assert entries == {disposal[0]: "R8-0001", disposal[1]: "R8-0002", take_out: "R8-0001"}
    counters = {
        (c.organization_id, c.kind, c.fiscal_year): c.last
        for c in apps.get_model("core", "NumberCounter").objects.all()
    }
    assert counters == {
        (mito.pk, "request", 2025): 1,
        (mito.pk, "request", 2026): 2,
        (mito.pk, "request", 2027): 1,
        (toyama.pk, "request", 2026): 1,
        (mito.pk, "records:disposal-record", 2026): 2,
        (mito.pk, "records:x.take-out", 2026): 1,
    }
