"""Attendance import (§5.6 check 3): 1,000 rows with 3 bad ones write nothing and list 3 errors."""

from __future__ import annotations

from datetime import date
from typing import Any

from kitei.core.models import ChangeRecord
from kitei.duties import services
from kitei.duties.attendance_import import import_attendance
from kitei.duties.models import Attendance
from kitei.people.models import Person
from tests.conftest import SETUP


def _people(org: Any, count: int) -> list[Person]:
    # Set-up only: register rows in bulk (what is measured is the import).
    Person.objects.bulk_create(Person(organization=org, name=f"職員{i:04d}") for i in range(count))
    return list(Person.objects.filter(organization=org).order_by("pk"))


def _csv(rows: list[tuple[str, str]]) -> bytes:
    lines = ["台帳番号,氏名", *(f"{n},{name}" for n, name in rows)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _session(org: Any) -> Any:
    return services.record_training(
        org, actor=SETUP, title="eラーニング", held_on=date(2026, 7, 1), duty_id="training"
    )


def test_three_bad_rows_of_a_thousand_write_nothing_and_are_listed(mito: Any, yamada: Any) -> None:
    people = _people(mito, 997)
    session = _session(mito)
    rows = [(str(p.pk), p.name) for p in people]
    rows.insert(10, ("999999", "誰か"))  # line 12: no such person
    rows.insert(500, (str(yamada.pk), yamada.name))  # line 502: another organisation's
    rows.insert(900, (str(people[0].pk), "別人"))  # line 902: the name does not match
    assert len(rows) == 1000
    before = ChangeRecord.objects.filter(organization=mito).count()
    result = import_attendance(session, actor=SETUP, data=_csv(rows))
    assert result.added == 0
    assert [e.line for e in result.errors] == [12, 502, 902]
    assert "この組織にいません" in result.errors[0].reason
    assert "この組織にいません" in result.errors[1].reason
    assert "違います" in result.errors[2].reason
    assert not Attendance.objects.exists()
    assert ChangeRecord.objects.filter(organization=mito).count() == before


def test_a_clean_file_records_every_attendance(mito: Any) -> None:
    people = _people(mito, 50)
    session = _session(mito)
    result = import_attendance(session, actor=SETUP, data=_csv([(str(p.pk), "") for p in people]))
    assert (result.added, result.errors) == (50, [])
    assert Attendance.objects.filter(session=session).count() == 50
    again = import_attendance(session, actor=SETUP, data=_csv([(str(people[0].pk), "")]))
    assert again.added == 0
    assert "すでに記録" in again.errors[0].reason


def test_a_file_without_the_heading_is_refused(mito: Any) -> None:
    session = _session(mito)
    result = import_attendance(session, actor=SETUP, data="氏名\r\n鈴木\r\n".encode())
    assert result.added == 0
    assert "台帳番号" in str(result.errors[0])
