"""Done by proof (satisfiers), or by hand with evidence; the CLI contract."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kitei.cli import main
from kitei.core import access
from kitei.core.models import ChangeRecord, EvidenceFile
from kitei.duties import orgsettings, satisfiers, schedule, services
from kitei.duties.choices import OccurrenceState
from kitei.duties.models import DutyOccurrence
from kitei.duties.satisfied import book_entries
from kitei.duties.satisfiers import Proof, Query
from tests.conftest import PDF, SETUP, upload


def _of(calendar: schedule.Calendar, duty: str) -> list[schedule.Occurrence]:
    return [o for o in calendar.occurrences if o.duty.id == duty]


def test_an_issued_audit_marks_annual_audit_done_and_nothing_else(
    mito: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What kitei.audits (a higher layer) will register: its issued reports as proofs.
    def issued(organization: Any, query: Query) -> list[Proof]:
        return [
            Proof(
                on=date(2027, 2, 10),
                scope_kind="organization",
                scope_id=None,
                label="令和8年度 情報セキュリティ監査報告書",
                url="/audits/1/",
            ),
            Proof(on=date(2026, 3, 31), scope_kind="organization", scope_id=None, label="前年度"),
        ]

    monkeypatch.setitem(satisfiers._SATISFIERS, "audit", issued)
    calendar = schedule.compute(mito, 2026)
    [audit] = _of(calendar, "annual-audit")
    assert audit.state == OccurrenceState.DONE
    assert audit.proof is not None
    assert audit.proof.url == "/audits/1/"
    done = [o.duty.id for o in calendar.occurrences if o.state == OccurrenceState.DONE]
    assert done == ["annual-audit"]  # contractor-audit has no interval; nothing else is proved
    # 2026-03-31 is the last day of FY2025: it proves that year's audit, not FY2026's.
    last_year = _of(schedule.compute(mito, 2025), "annual-audit")[0]
    assert last_year.proof is not None
    assert last_year.proof.label == "前年度"
    assert _of(schedule.compute(mito, 2024), "annual-audit")[0].state != OccurrenceState.DONE


def test_a_training_session_proves_training_in_its_period(mito: Any, ciso: Any) -> None:
    orgsettings.set_setting(
        mito,
        actor=SETUP,
        key="duty:training:interval",
        value="P6M",
        basis="研修実施計画",
        decided_by="CISO",
        decided_on=date(2026, 4, 1),
    )
    services.record_training(
        mito,
        actor=SETUP,
        title="情報セキュリティ研修",
        held_on=date(2026, 5, 20),
        duty_id="training",
    )
    first, second = _of(schedule.compute(mito, 2026), "training")
    assert first.state == OccurrenceState.DONE
    assert first.proof is not None
    assert first.proof.label == "情報セキュリティ研修"
    assert second.state != OccurrenceState.DONE


def test_a_record_book_entry_proves_its_own_scope_and_period(mito: Any, sato: Any) -> None:
    from kitei.records.services import record_entry  # noqa: PLC0415

    entry = record_entry(
        mito,
        actor=sato.user,
        book="change-work-record",
        recorded_by=sato,
        fields={"work_content": "ログの点検"},
    )
    duty = next(d for d in orgsettings.pack_of(mito).periodic_duties if d.id == "log-review")
    today = timezone.localdate(entry.recorded_at)  # the day in Japan
    query = Query(duty=duty, argument="change-work-record", start=today, end=today)
    proofs = list(book_entries(mito, query))
    assert {(p.scope_kind, p.scope_id) for p in proofs} == {
        ("organization", None),
        ("person", sato.pk),
        ("department", sato.department_id),
    }
    other = Query(duty=duty, argument="disposal-record", start=today, end=today)
    assert list(book_entries(mito, other)) == []


def test_completing_by_hand_needs_evidence_and_records_who(
    mito: Any, ciso: Any, evidence_dir: Any
) -> None:
    [audit] = _of(schedule.compute(mito, 2026), "annual-audit")
    row = services.complete_occurrence(
        mito,
        actor=ciso.user,
        year=2026,
        key=audit.key,
        completed_on=date(2026, 11, 30),
        note="監査法人による監査の実施",
        upload=upload("report.pdf", PDF),
    )
    assert (row.completed_by, row.clause, row.pack_digest) == (ciso, "10-1(1)", mito.pack_digest)
    assert EvidenceFile.objects.filter(supports_id=row.pk).count() == 1
    assert ChangeRecord.objects.filter(action="complete_occurrence").count() == 1
    [again] = _of(schedule.compute(mito, 2026), "annual-audit")
    assert again.state == OccurrenceState.DONE
    assert again.record == row
    with pytest.raises(ValidationError, match="すでに完了"):
        services.complete_occurrence(
            mito,
            actor=ciso.user,
            year=2026,
            key=audit.key,
            completed_on=date(2026, 11, 30),
            note="二重",
            upload=upload("report.pdf", PDF),
        )


def test_someone_not_responsible_is_refused_and_nothing_is_written(
    mito: Any, ciso: Any, suzuki: Any, evidence_dir: Any
) -> None:
    [audit] = _of(schedule.compute(mito, 2026), "annual-audit")
    with pytest.raises(access.Refusal):
        services.complete_occurrence(
            mito,
            actor=suzuki.user,
            year=2026,
            key=audit.key,
            completed_on=date(2026, 11, 30),
            note="実施",
            upload=upload("report.pdf", PDF),
        )
    assert not DutyOccurrence.objects.exists()


def test_a_bad_file_writes_nothing(mito: Any, ciso: Any, evidence_dir: Any) -> None:
    [audit] = _of(schedule.compute(mito, 2026), "annual-audit")
    with pytest.raises(ValidationError):
        services.complete_occurrence(
            mito,
            actor=ciso.user,
            year=2026,
            key=audit.key,
            completed_on=date(2026, 11, 30),
            note="実施",
            upload=upload("report.exe", b"MZ\x90\x00"),
        )
    assert not DutyOccurrence.objects.exists()
    assert not ChangeRecord.objects.filter(action="complete_occurrence").exists()


def test_an_unset_interval_cannot_be_completed(mito: Any, admin_ito: Any) -> None:
    [review] = _of(schedule.compute(mito, 2026), "training")
    with pytest.raises(ValidationError, match="間隔"):
        services.complete_occurrence(
            mito,
            actor=admin_ito.user,
            year=2026,
            key=review.key,
            completed_on=date(2026, 11, 30),
            note="実施",
            upload=upload("report.pdf", PDF),
        )


def test_cli_calendar_json_contract(mito: Any, ciso: Any, systems: list[Any], capsys: Any) -> None:
    assert main(["calendar", "mito", "--year", "2026", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["year"], data["start"], data["end"]) == (2026, "2026-04-01", "2027-03-31")
    keys = {
        "duty", "title", "clause", "quote", "frequency", "scope", "period", "due",
        "interval_set_by", "state", "responsible",
    }  # fmt: skip
    assert all(set(o) == keys for o in data["occurrences"])
    audit = next(o for o in data["occurrences"] if o["duty"] == "annual-audit")
    assert audit["period"] == {"start": "2026-04-01", "end": "2027-03-31"}
    assert (audit["due"], audit["interval_set_by"]) == ("2027-03-31", "seed")
    assert audit["responsible"] == ["gicho"]
    assert audit["scope"] == {"kind": "organization", "id": None, "name": "水戸市議会"}
    logs = [o for o in data["occurrences"] if o["duty"] == "log-review"]
    assert {(o["due"], o["interval_set_by"], o["state"]) for o in logs} == {
        (None, None, "interval_unset")
    }
    assert {o["scope"]["kind"] for o in logs} == {"system"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["calendar", "nowhere", "--year", "2026", "--json"], "no organisation 'nowhere'"),
        (["calendar", "mito", "--year", "1800", "--json"], "年度 1800"),
    ],
)
def test_cli_calendar_refusals_are_one_line_exit_2(
    mito: Any, capsys: Any, argv: list[str], message: str
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1
    assert message in captured.err


def test_a_duty_done_as_needed_is_logged_each_time_with_evidence(
    mito: Any, ciso: Any, evidence_dir: Any
) -> None:
    [log] = _of(schedule.compute(mito, 2026), "emergency-plan-review")  # 8-3(4) 必要に応じて
    assert log.state == OccurrenceState.LOG
    for day in (date(2026, 6, 1), date(2026, 11, 2)):
        services.complete_occurrence(
            mito,
            actor=ciso.user,
            year=2026,
            key=log.key,
            completed_on=day,
            note="緊急時対応計画の見直し",
            upload=upload("plan.pdf", PDF),
        )
    rows = _of(schedule.compute(mito, 2026), "emergency-plan-review")
    assert [o.state for o in rows] == [
        OccurrenceState.LOG,
        OccurrenceState.DONE,
        OccurrenceState.DONE,
    ]
    assert sorted(o.record.completed_on for o in rows if o.record) == [
        date(2026, 6, 1),
        date(2026, 11, 2),
    ]
