"""kitei.core.imports: a background import's progress, states, refusals and audit records."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import pytest

from kitei.core import access, imports, progress
from kitei.core.models import ChangeRecord, Organization, TaskProgress

from ..conftest import make_person

pytestmark = pytest.mark.django_db

ROWS = 5
seen: list[tuple[str, int]] = []  # (state, rows stored) as the task's reader saw them


def _stored() -> tuple[str, int]:
    """The state and row count of the import running now, as stored (the page's view)."""
    row = TaskProgress.objects.order_by("-pk").values_list("state", "done").first()
    assert row is not None
    return str(row[0]), int(row[1])


def _counting_run(
    organization: Organization, data: bytes, actor: access.Actor, options: Mapping[str, Any]
) -> imports.Outcome:
    """Reads ROWS rows as a register reader does, watching what the page would see."""
    for _row in progress.counted(range(ROWS)):
        seen.append(_stored())
    seen.append(_stored())
    progress.writing()
    seen.append(_stored())
    if data == b"fail":
        raise RuntimeError("the disk is full")
    return imports.Outcome(summary=f"{ROWS} rows of {data.decode()}")


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> None:
    """A register whose import counts its rows (every count stored at once)."""
    kind = imports.ImportKind(
        kind="counting",
        title="数える台帳",
        permission="assets.manage",
        run=_counting_run,
        list_url="assets:list",
        import_url="assets_import",
    )
    monkeypatch.setitem(imports._KINDS, "counting", kind)
    monkeypatch.setattr(imports, "SAVE_EVERY", 0)
    seen.clear()


@pytest.fixture
def ito(mito: Any, somu: Any) -> Any:
    """伊藤, organisation administrator of mito: may import into the registers."""
    return make_person(mito, "ito", "伊藤 五郎", department=somu, is_org_admin=True)


def _start(org: Organization, actor: access.Actor, data: bytes = b"x") -> TaskProgress:
    return imports.start_import(org, "counting", data, actor=actor, total=ROWS)


def test_the_rows_checked_are_stored_as_they_are_read(counting: None, mito: Any, ito: Any) -> None:
    item = _start(mito, ito.user)
    # While reading, the page sees each row counted once the next one is asked for.
    assert seen[:ROWS] == [("checking", n) for n in range(ROWS)]
    assert seen[ROWS:] == [("checking", ROWS), ("writing", ROWS)]
    assert (item.state, item.done, item.percent, item.summary) == (
        "succeeded",
        5,
        100,
        "5 rows of x",
    )
    assert item.finished_at is not None
    finish = ChangeRecord.objects.get(action="finish_import")
    assert json.loads(finish.after)["state"] == "succeeded"
    assert finish.actor_name == "task:run_import (enqueued by ito)"
    start = ChangeRecord.objects.get(action="start_import")
    assert start.actor_name == "ito"
    assert json.loads(start.after)["rows"] == ROWS
    assert json.loads(start.after)["sha256"] == hashlib.sha256(b"x").hexdigest()


def test_an_unexpected_error_fails_the_import_and_its_task(
    counting: None, mito: Any, ito: Any
) -> None:
    item = _start(mito, ito.user, b"fail")
    assert item.state == "failed"
    assert item.errors == ["予期しないエラーのため中止しました。何も取り込んでいません。"]
    assert bytes(item.upload) == b""


def test_a_member_who_may_not_import_starts_nothing(counting: None, mito: Any, suzuki: Any) -> None:
    with pytest.raises(access.Refusal):
        _start(mito, suzuki.user)
    assert not TaskProgress.objects.exists()
    assert not ChangeRecord.objects.filter(action="start_import").exists()


def test_a_task_run_again_does_nothing(counting: None, mito: Any, ito: Any) -> None:
    item = _start(mito, ito.user)
    assert imports.run(item.pk) == f"import #{item.pk} was already run (succeeded)"
    assert ChangeRecord.objects.filter(action="finish_import").count() == 1


def test_nobody_listening_costs_nothing() -> None:
    rows = iter([1, 2, 3])
    assert progress.counted(rows) is rows  # the very iterator: no wrapper outside a task
    progress.writing()  # and no one to tell


def test_a_register_is_registered_once() -> None:
    assert imports.import_kind("assets").permission == "assets.manage"
    assert imports.import_kind("systems").permission == "systems.manage"
    assert imports.import_kind("people").permission == "people.manage"
    with pytest.raises(LookupError):
        imports.import_kind("nothing")
    twin = imports.ImportKind(
        kind="assets",
        title="別物",
        permission="assets.view",
        run=_counting_run,
        list_url="assets:list",
        import_url="assets_import",
    )
    with pytest.raises(ValueError, match="registered twice"):
        imports.register_import(twin)


def test_the_task_acts_in_the_imports_organisation_and_not_after_the_membership_ends(
    counting: None, mito: Any, toyama: Any, ito: Any
) -> None:
    from datetime import timedelta  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    from kitei.core import tenancy  # noqa: PLC0415
    from kitei.people.memberships import add_membership, end_membership  # noqa: PLC0415
    from kitei.people.models import Membership  # noqa: PLC0415

    from ..conftest import SETUP  # noqa: PLC0415

    # 伊藤 also supports toyama: the worker must still act as mito's administrator.
    add_membership(toyama, actor=SETUP, user=ito.user, kind="support")
    tenancy.bind(ito.user, tenancy.membership_in(ito.user, mito.pk))
    assert _start(mito, ito.user).state == "succeeded"
    # Set-up only: an import still waiting for the worker when the membership ends.
    waiting = TaskProgress.objects.create(
        organization=mito, kind="counting", started_by=ito.user, started_by_name="ito", upload=b"x"
    )
    [membership] = Membership.objects.filter(user=ito.user, organization=mito)
    yesterday = timezone.localdate() - timedelta(days=1)
    end_membership(mito, actor=SETUP, membership=membership, on=yesterday)
    imports.run(waiting.pk)
    waiting.refresh_from_db()
    assert waiting.state == "refused"
    ended = f"この組織の所属期間は終了しています（組織「水戸市議会」、{yesterday}まで）。"
    assert waiting.errors == [f"「情報資産台帳の管理」の権限がありません。 {ended}"]
