"""The fiscal-year calendar (§5.5 acceptance checks 1, 2, 4, 5, 6)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from kitei.duties import orgsettings, schedule
from kitei.duties.choices import OccurrenceState
from kitei.duties.models import DutyOccurrence
from kitei.duties.periods import Interval, parse_interval, periods
from tests.conftest import SETUP, make_org, make_person


def _of(calendar: schedule.Calendar, duty: str) -> list[schedule.Occurrence]:
    return [o for o in calendar.occurrences if o.duty.id == duty]


def _decide(org: Any, key: str, value: str, on: date) -> None:
    orgsettings.set_setting(
        org,
        actor=SETUP,
        key=key,
        value=value,
        basis="情報セキュリティ実施手順 第5条",
        decided_by="CISO",
        decided_on=on,
    )


def _jst(y: int, m: int, d: int, hh: int, mm: int = 0, *, ss: int = 0) -> datetime:
    """A moment given in Japan time, handed over in UTC (2027-04-01 0:00 JST = 3/31 15:00 UTC)."""
    return datetime(y, m, d, hh, mm, ss, tzinfo=ZoneInfo("Asia/Tokyo")).astimezone(UTC)


def test_mito_fy2026_annual_audit_system_inspection_and_log_review(
    mito: Any, systems: list[Any]
) -> None:
    calendar = schedule.compute(mito, 2026, now=_jst(2026, 12, 7, 12))
    assert (calendar.start, calendar.end, calendar.label) == (
        date(2026, 4, 1),
        date(2027, 3, 31),
        "令和8年度",
    )
    [audit] = _of(calendar, "annual-audit")
    assert audit.due == date(2027, 3, 31)
    assert audit.period == (date(2026, 4, 1), date(2027, 3, 31))
    assert audit.interval_set_by == "seed"
    assert audit.state == OccurrenceState.OPEN
    inspections = _of(calendar, "self-inspection-systems")
    assert sorted(o.scope.id for o in inspections) == sorted(s.pk for s in systems)
    assert {o.scope.kind for o in inspections} == {"system"}
    reviews = _of(calendar, "log-review")
    assert len(reviews) == len(systems)
    for o in reviews:
        assert o.state == OccurrenceState.INTERVAL_UNSET
        assert (o.due, o.period, o.interval_set_by) == (None, None, None)
        assert o.duty.clause == "7-1(6)ウ"
        assert o.duty.quote == "取得したログを定期的に点検又は分析する機能を設け"


def test_an_organisation_interval_gives_twelve_monthly_occurrences_per_system(
    mito: Any, systems: list[Any]
) -> None:
    _decide(mito, "duty:log-review:interval", "P1M", date(2026, 4, 1))
    reviews = _of(schedule.compute(mito, 2026), "log-review")
    assert len(reviews) == 12 * len(systems)
    assert {o.interval_set_by for o in reviews} == {"organization"}
    first = sorted(o.due for o in reviews if o.scope.id == systems[0].pk)  # type: ignore[type-var]
    assert first[0] == date(2026, 4, 30)
    assert first[-1] == date(2027, 3, 31)


def test_changing_the_interval_in_october_keeps_what_was_done(
    mito: Any, systems: list[Any], admin_ito: Any
) -> None:
    _decide(mito, "duty:log-review:interval", "P1M", date(2026, 4, 1))
    DutyOccurrence.objects.create(
        organization=mito,
        duty="log-review",
        fiscal_year=2026,
        scope_kind="system",
        scope_id=systems[0].pk,
        period_start=date(2026, 5, 1),
        period_end=date(2026, 5, 31),
        completed_on=date(2026, 5, 20),
        completed_by=admin_ito,
        note="5月分のログを点検",
        clause="7-1(6)ウ",
        quote="取得したログを定期的に点検又は分析する機能を設け",
        pack_version=mito.pack_version,
        pack_digest=mito.pack_digest,
    )
    _decide(mito, "duty:log-review:interval", "P3M", date(2026, 10, 1))
    mine = [
        o for o in _of(schedule.compute(mito, 2026), "log-review") if o.scope.id == systems[0].pk
    ]
    periods_seen = [o.period for o in mine]
    # April–September monthly as decided then; from October quarterly.
    assert periods_seen[:6] == [
        (date(2026, m, 1), date(2026, m, last))
        for m, last in ((4, 30), (5, 31), (6, 30), (7, 31), (8, 31), (9, 30))
    ]
    assert periods_seen[6:] == [
        (date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 3, 31)),
    ]
    may = mine[1]
    assert may.state == OccurrenceState.DONE
    assert may.record is not None
    assert may.record.completed_by == admin_ito


@pytest.mark.django_db
def test_gamagori_audit_and_self_inspection_invent_no_date() -> None:
    gamagori = make_org("gamagori", "gamagori-city", "蒲郡市")
    calendar = schedule.compute(gamagori, 2026)
    for duty in ("security-audit", "self-inspection"):
        [o] = _of(calendar, duty)
        assert o.state == OccurrenceState.INTERVAL_UNSET
        assert o.due is None
        assert o.duty.clause == "1.7"
        assert o.duty.quote == "定期的又は必要に応じて情報セキュリティ監査及び自己点検を実施する"
    [review] = _of(calendar, "policy-review")
    assert review.state == OccurrenceState.LOG


@pytest.mark.django_db
def test_standing_obligations_have_no_dates(mito: Any, systems: list[Any]) -> None:
    monitoring = _of(schedule.compute(mito, 2026), "continuous-monitoring")
    assert len(monitoring) == len(systems)
    assert {(o.state, o.due) for o in monitoring} == {(OccurrenceState.STANDING, None)}


def test_fiscal_year_boundary_at_jst_midnight(mito: Any) -> None:
    # 2027-03-31 23:59:59 JST is still inside FY2026's annual audit; one second later it is late.
    before = _of(schedule.compute(mito, 2026, now=_jst(2027, 3, 31, 23, 59, ss=59)), "annual-audit")
    after = _of(schedule.compute(mito, 2026, now=_jst(2027, 4, 1, 0, 0)), "annual-audit")
    assert before[0].state == OccurrenceState.OPEN
    assert after[0].state == OccurrenceState.OVERDUE
    next_year = _of(schedule.compute(mito, 2027, now=_jst(2027, 4, 1, 0, 0)), "annual-audit")
    assert next_year[0].state == OccurrenceState.OPEN
    assert next_year[0].period == (date(2027, 4, 1), date(2028, 3, 31))


def test_leap_day_2028_closes_february(mito: Any) -> None:
    _decide(mito, "duty:exception-review:interval", "P1M", date(2026, 4, 1))
    calendar = schedule.compute(mito, 2027, now=_jst(2028, 2, 29, 23, 59))
    feb = next(o for o in _of(calendar, "exception-review") if o.period and o.period[0].month == 2)
    assert feb.period == (date(2028, 2, 1), date(2028, 2, 29))
    assert feb.state == OccurrenceState.OPEN
    later = schedule.compute(mito, 2027, now=_jst(2028, 3, 1, 0, 0))
    feb_later = next(
        o for o in _of(later, "exception-review") if o.period and o.period[0].month == 2
    )
    assert feb_later.state == OccurrenceState.OVERDUE


def test_personnel_change_on_1_april_moves_open_occurrences(mito: Any) -> None:
    from kitei.people.services import assign_role  # noqa: PLC0415

    old = make_person(mito, "gicho_old", "前議長")
    new = make_person(mito, "gicho_new", "新議長")
    assign_role(
        mito,
        actor=SETUP,
        person=old,
        role_id="ciso",
        valid_from=date(2025, 4, 1),
        valid_until=date(2027, 3, 31),
    )
    assign_role(mito, actor=SETUP, person=new, role_id="ciso", valid_from=date(2027, 4, 1))
    on_31 = _of(schedule.compute(mito, 2027, now=_jst(2027, 3, 31, 23, 59)), "annual-audit")
    on_1 = _of(schedule.compute(mito, 2027, now=_jst(2027, 4, 1, 0, 0)), "annual-audit")
    assert [p.name for p in on_31[0].responsible] == ["前議長"]
    assert [p.name for p in on_1[0].responsible] == ["新議長"]
    # FY2026's audit, completed by the predecessor, still shows who completed it.
    DutyOccurrence.objects.create(
        organization=mito,
        duty="annual-audit",
        fiscal_year=2026,
        scope_kind="organization",
        scope_id=None,
        period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31),
        completed_on=date(2027, 2, 1),
        completed_by=old,
        note="監査の実施",
        clause="10-1(1)",
        quote="情報資産の情報セキュリティ対策状況について、毎年度監査を行わせなければならない",
        pack_version=mito.pack_version,
        pack_digest=mito.pack_digest,
    )
    [done] = _of(schedule.compute(mito, 2026, now=_jst(2027, 4, 1, 9)), "annual-audit")
    assert done.state == OccurrenceState.DONE
    assert done.record is not None
    assert done.record.completed_by == old
    assert [p.name for p in done.responsible] == ["新議長"]


def test_a_deputy_in_period_is_responsible_too(mito: Any, ciso: Any) -> None:
    from kitei.people.services import assign_role  # noqa: PLC0415

    deputy = make_person(mito, "fuku", "副議長")
    assign_role(
        mito,
        actor=SETUP,
        person=deputy,
        role_id="ciso",
        deputy_for=ciso,
        valid_from=date(2026, 8, 1),
        valid_until=date(2026, 8, 31),
    )
    during = _of(schedule.compute(mito, 2026, now=_jst(2026, 8, 15, 9)), "annual-audit")[0]
    after = _of(schedule.compute(mito, 2026, now=_jst(2026, 9, 1, 9)), "annual-audit")[0]
    assert {p.name for p in during.responsible} == {"議長 太郎", "副議長"}
    assert {p.name for p in after.responsible} == {"議長 太郎"}


def test_the_register_names_each_systems_manager(mito: Any, somu: Any, sato: Any) -> None:
    from kitei.systems.services import register_system  # noqa: PLC0415

    system = register_system(mito, actor=SETUP, name="文書管理", department=somu, manager=sato)
    [o] = [
        o
        for o in _of(schedule.compute(mito, 2026), "self-inspection-systems")
        if o.scope.id == system.pk
    ]
    assert [p.name for p in o.responsible] == ["佐藤 一郎"]


def test_years_outside_the_range_are_refused(mito: Any) -> None:
    with pytest.raises(ValidationError, match="年度 1800"):
        schedule.compute(mito, 1800)


def test_periods_are_anchored_and_cut_at_the_year_end() -> None:
    quarter = periods(date(2026, 4, 1), date(2027, 3, 31), parse_interval("P3M"))
    assert [end for _start, end in quarter] == [
        date(2026, 6, 30),
        date(2026, 9, 30),
        date(2026, 12, 31),
        date(2027, 3, 31),
    ]
    five_months = periods(date(2026, 4, 1), date(2027, 3, 31), Interval(months=5))
    assert five_months[-1] == (date(2027, 2, 1), date(2027, 3, 31))
    assert len(periods(date(2026, 4, 1), date(2027, 3, 31), parse_interval("P1W"))) == 53
