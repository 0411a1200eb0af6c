"""Training (§5.6): new members listed as 研修未受講 (6-2(2)イ) until they attend."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kitei.core import access
from kitei.core.models import ChangeRecord
from kitei.duties import schedule, services, training
from kitei.duties.choices import OccurrenceState
from kitei.duties.models import Attendance, TrainingSession
from kitei.people.services import create_person
from tests.conftest import SETUP, make_org


def _hire(org: Any, username: str, name: str, start: date) -> Any:
    return create_person(
        org, actor=SETUP, name=name, username=username, password="x" * 20, member_from=start
    )


def test_a_new_hire_is_untrained_citing_6_2_2_i_until_attending(mito: Any) -> None:
    hire = _hire(mito, "shinjin", "新人 一郎", date(2026, 4, 1))
    _hire(mito, "veteran", "古参 次郎", date(2020, 4, 1))  # joined in an earlier year
    [found] = training.untrained(mito, 2026)
    assert (found.person, found.joined) == (hire, date(2026, 4, 1))
    assert found.duty.clause == "6-2(2)イ"
    assert "初当選の議員及び新規採用の職員" in found.duty.quote
    services.record_training(
        mito,
        actor=SETUP,
        title="新規採用職員研修",
        held_on=date(2026, 4, 10),
        duty_id="new-member-training",
        attendees=[hire],
    )
    assert training.untrained(mito, 2026) == []
    # The session is logged on the 随時 duty as done.
    done = [
        o
        for o in schedule.compute(mito, 2026).occurrences
        if o.duty.id == "new-member-training" and o.state == OccurrenceState.DONE
    ]
    assert [o.proof.label for o in done if o.proof] == ["新規採用職員研修"]


def test_a_session_before_joining_does_not_count(mito: Any) -> None:
    services.record_training(
        mito,
        actor=SETUP,
        title="前年度の研修",
        held_on=date(2026, 4, 2),
        duty_id="new-member-training",
    )
    hire = _hire(mito, "late", "途中 採用", date(2026, 10, 1))
    session = TrainingSession.objects.get()
    services.record_attendance(session, actor=SETUP, person=hire)
    assert [u.person for u in training.untrained(mito, 2026)] == [hire]


def test_training_is_recorded_with_its_clause_and_audited(mito: Any, suzuki: Any) -> None:
    session = services.record_training(
        mito,
        actor=SETUP,
        title="情報セキュリティ研修",
        held_on=date(2026, 6, 1),
        duty_id="training",
        attendees=[suzuki],
    )
    assert (session.clause, session.pack_digest) == ("6-2(1)", mito.pack_digest)
    assert ChangeRecord.objects.filter(action="record_training").count() == 1
    assert ChangeRecord.objects.filter(action="record_attendance").count() == 1
    with pytest.raises(ValidationError, match="すでに記録"):
        services.record_attendance(session, actor=SETUP, person=suzuki)
    assert Attendance.objects.count() == 1


def test_refusals_write_nothing(mito: Any, suzuki: Any, yamada: Any) -> None:
    with pytest.raises(access.Refusal):
        services.record_training(
            mito, actor=suzuki.user, title="研修", held_on=date(2026, 6, 1), duty_id="training"
        )
    with pytest.raises(ValidationError, match="満たされる義務"):
        services.record_training(
            mito, actor=SETUP, title="研修", held_on=date(2026, 6, 1), duty_id="annual-audit"
        )
    with pytest.raises(ValidationError, match="別の組織"):
        services.record_training(
            mito,
            actor=SETUP,
            title="研修",
            held_on=date(2026, 6, 1),
            duty_id="training",
            attendees=[yamada],
        )
    assert not TrainingSession.objects.exists()  # the whole recording was undone


@pytest.mark.django_db
def test_a_pack_without_a_joining_training_lists_nobody() -> None:
    toyama = make_org("toyama", "toyama-kankoji-kumiai", "富山市管工事協同組合")
    _hire(toyama, "kumiai", "組合 新人", date(2026, 4, 1))
    assert training.untrained(toyama, 2026) == []


def test_the_training_page_lists_the_untrained(mito: Any, suzuki: Any) -> None:
    from django.test import Client  # noqa: PLC0415

    from tests.conftest import PASSWORD  # noqa: PLC0415

    _hire(mito, "shinjin", "新人 一郎", date(2026, 4, 1))
    client = Client()
    assert client.login(username="suzuki", password=PASSWORD)
    text = client.get("/duties/training/").content.decode()
    assert "研修未受講（6-2(2)イ）" in text
    assert "新人 一郎" in text
    assert "令和8年4月1日" in text
    assert "受講状況: 情報セキュリティに関する研修及び訓練（令和8年度）" in text


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(attending=st.lists(st.booleans(), min_size=6, max_size=6))
def test_coverage_per_department_and_role_is_attendances_over_audience(
    mito: Any, attending: list[bool]
) -> None:
    from kitei.people.models import Person, RoleAssignment  # noqa: PLC0415
    from kitei.people.services import assign_role, create_department  # noqa: PLC0415

    suffix = str(Person.objects.count())
    depts = [create_department(mito, actor=SETUP, name=f"課{suffix}-{i}") for i in range(2)]
    people = [
        create_person(mito, actor=SETUP, name=f"人{suffix}-{i}", department=depts[i % 2])
        for i in range(6)
    ]
    for person in people[:3]:
        assign_role(mito, actor=SETUP, person=person, role_id="auditor")
    session = services.record_training(
        mito,
        actor=SETUP,
        title=f"研修{suffix}",
        held_on=date(2026, 5, 1),
        duty_id="training",
        attendees=[p for p, yes in zip(people, attending, strict=True) if yes],
    )
    assert session.pk
    rows = {(c.kind, c.label): c for c in training.coverage(mito, 2026, "training")}
    went = {p.pk for p, yes in zip(people, attending, strict=True) if yes}
    for dept in depts:
        members = {p.pk for p in people if p.department_id == dept.pk}
        row = rows[("department", dept.name)]
        assert (row.attended, row.audience) == (len(members & went), len(members))
    # Per role: every holder so far (earlier examples' too) against everyone who attended.
    holders = set(
        RoleAssignment.objects.filter(organization=mito, role_id="auditor").values_list(
            "person_id", flat=True
        )
    )
    everyone = set(Attendance.objects.filter(organization=mito).values_list("person_id", flat=True))
    auditors = rows[("role", "監査を行う者")]
    assert (auditors.attended, auditors.audience) == (len(holders & everyone), len(holders))
