"""Inboxes, own requests, who may decide, and the decision log's replay."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kitei.approvals import queries
from kitei.approvals.models import Request
from kitei.core.services import upgrade_pack
from kitei.people.services import assign_role
from kitei.policy import load_pack
from tests.conftest import SETUP

from ..conftest import make_org, make_person
from .conftest import approve, file

pytestmark = pytest.mark.django_db


def _ids(rows: Any) -> list[int]:
    return [r.pk for r in rows]


def test_inbox_holds_what_waits_on_the_person(
    mito: Any,
    suzuki: Any,
    sato: Any,
    *,
    mori: Any,
    kobayashi: Any,
    kato: Any,
    ito: Any,
    minutes: Any,
    payroll: Any,
    council_system: Any,
) -> None:
    somu_take_out = file(mito, suzuki, "asset.take_out", asset=minutes)
    jinji_take_out = file(mito, suzuki, "asset.take_out", asset=payroll)
    install = file(mito, suzuki, "device.install_software", system=council_system)
    gap = file(mito, suzuki, "asset.transport", asset=minutes)
    assert _ids(queries.inbox_for(sato)) == [somu_take_out.pk]
    assert _ids(queries.inbox_for(mori)) == [jinji_take_out.pk]
    assert _ids(queries.inbox_for(kobayashi)) == [install.pk]
    assert _ids(queries.inbox_for(kato)) == [install.pk]
    assert _ids(queries.inbox_for(ito)) == [gap.pk]
    assert _ids(queries.inbox_for(suzuki)) == []
    approve(install, kobayashi)  # kobayashi's part is done; kato's still waits
    assert _ids(queries.inbox_for(kobayashi)) == []
    assert _ids(queries.inbox_for(kato)) == [install.pk]
    approve(somu_take_out, sato)
    assert _ids(queries.inbox_for(sato)) == []
    assert _ids(queries.requests_of(suzuki)) == [
        gap.pk,
        install.pk,
        jinji_take_out.pk,
        somu_take_out.pk,
    ]
    assert queries.may_decide(kato, install)
    assert not queries.may_decide(sato, install)
    assert [p.name for p in queries.waiting_on(Request.objects.get(pk=install.pk))] == [kato.name]


def test_later_steps_wait_for_earlier_ones(
    mito: Any, suzuki: Any, kobayashi: Any, gicho: Any, council_system: Any
) -> None:
    request = file(mito, suzuki, "system.delegate_admin", system=council_system)
    assert _ids(queries.inbox_for(gicho)) == []
    approve(request, kobayashi)
    assert _ids(queries.inbox_for(gicho)) == [request.pk]


def test_deputies_see_the_holders_inbox_only_in_their_period(
    mito: Any, somu: Any, suzuki: Any, sato: Any, minutes: Any
) -> None:
    today = timezone.localdate()
    request = file(mito, suzuki, "asset.take_out", asset=minutes)
    current = make_person(mito, "current", "代行 現在", department=somu)
    expired = make_person(mito, "expired", "代行 過去", department=somu)
    for person, start, end in (
        (current, today, today + timedelta(days=7)),
        (expired, today - timedelta(days=30), today - timedelta(days=1)),
    ):
        assign_role(
            mito,
            actor=SETUP,
            person=person,
            role_id="information_security_manager",
            department=somu,
            deputy_for=sato,
            valid_from=start,
            valid_until=end,
        )
    assert _ids(queries.inbox_for(current)) == [request.pk]
    assert _ids(queries.inbox_for(expired)) == []


def test_the_applicant_sees_their_own_request_where_the_override_is_possible(
    mito: Any, sato: Any, minutes: Any
) -> None:
    request = file(mito, sato, "asset.take_out", asset=minutes)
    assert _ids(queries.inbox_for(sato)) == [request.pk]


def test_inboxes_are_scoped_to_the_organisation(mito: Any, suzuki: Any, minutes: Any) -> None:
    other = make_org("other", name="他の議会")
    admin = make_person(other, "other_admin", "他 管理者", is_org_admin=True)
    ciso = make_person(other, "other_ciso", "他 議長", roles=("ciso",))
    file(mito, suzuki, "asset.transport", asset=minutes)  # a gap in mito
    file(mito, suzuki, "equipment.install_offsite")  # mito's CISO approves
    assert _ids(queries.inbox_for(admin)) == []
    assert _ids(queries.inbox_for(ciso)) == []
    assert _ids(queries.requests_of(admin)) == []


def _queries(fn: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        rows = list(fn())
        for row in rows:  # what a list page shows of each row
            _ = (row.applicant.name, row.asset, row.system, row.department)
            _ = [(s.roles, [a.approver.name for a in s.approvals.all()]) for s in row.steps.all()]
    return len(ctx.captured_queries)


def test_lists_take_a_constant_number_of_queries(
    mito: Any, suzuki: Any, sato: Any, minutes: Any, roster: Any
) -> None:
    file(mito, suzuki, "asset.take_out", asset=minutes)
    sato_one = _queries(lambda: queries.inbox_for(sato))
    suzuki_one = _queries(lambda: queries.requests_of(suzuki))
    for _ in range(8):
        file(mito, suzuki, "asset.take_out", asset=roster)
        file(mito, suzuki, "asset.dispose", asset=minutes)
    assert len(list(queries.inbox_for(sato))) == 17
    assert _queries(lambda: queries.inbox_for(sato)) == sato_one
    assert _queries(lambda: queries.requests_of(suzuki)) == suzuki_one


@pytest.fixture
def edited_pack(tmp_path: Path) -> Path:
    """mito's pack, version 1.0.1, whose take-out rule now needs the CISO instead."""
    target = tmp_path / "mito" / "pack.yaml"
    target.parent.mkdir()
    shutil.copy(load_pack("mito-city-council").path, target)
    text = target.read_text(encoding="utf-8")
    text = text.replace('version: "1.0.0"', 'version: "1.0.1"', 1)
    old = (
        "    action: asset.take_out\n    effect: approval_required\n    approvals:\n"
        "      - {mode: all_of, roles: [information_security_manager]}\n"
    )
    assert old in text
    text = text.replace(old, old.replace("information_security_manager", "ciso"))
    target.write_text(text, "utf-8")
    return target


def test_a_decision_replays_against_the_pack_version_it_was_made_with(
    mito: Any, suzuki: Any, minutes: Any, edited_pack: Path
) -> None:
    request = file(mito, suzuki, "asset.take_out", asset=minutes)
    assert queries.replay_decision(request) is True
    upgrade_pack(mito, actor=SETUP, pack=str(edited_pack))
    stored = Request.objects.get(pk=request.pk)
    assert queries.replay_decision(stored) is True  # still the 1.0.0 bytes
    later = file(mito, suzuki, "asset.take_out", asset=minutes)
    assert later.pack_digest == mito.pack_digest != stored.pack_digest
    assert later.decision["approvals"] == [
        {"mode": "all_of", "roles": [{"id": "ciso", "title": "最高情報セキュリティ責任者"}]}
    ]
    assert queries.replay_decision(later) is True


def test_a_tampered_decision_does_not_replay(mito: Any, suzuki: Any, minutes: Any) -> None:
    request = file(mito, suzuki, "asset.take_out", asset=minutes)
    decision = dict(request.decision, effect="permit")
    Request.objects.filter(pk=request.pk).update(decision=decision)
    assert queries.replay_decision(Request.objects.get(pk=request.pk)) is False
    assert queries.replayed_decision(request)["effect"] == "approval_required"
