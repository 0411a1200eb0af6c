"""The calendar as the CLI contract's JSON (`kitei calendar ORG --year 2026 --json`, the API)."""

from __future__ import annotations

from typing import Any

from kitei.core.tabular import Sheet, write_xlsx
from kitei.duties.orgsettings import Resolved
from kitei.duties.schedule import Calendar, Occurrence


def username(person: Any) -> str:
    """How an occurrence names a responsible person: the login, else the register's name."""
    user = getattr(person, "user", None)
    return str(user.get_username()) if user is not None else str(person.name)


def occurrence_json(o: Occurrence) -> dict[str, Any]:
    """One occurrence as the contract spells it."""
    return {
        "duty": o.duty.id,
        "title": o.duty.title,
        "clause": o.duty.clause,
        "quote": o.duty.quote,
        "frequency": o.duty.frequency,
        "scope": {"kind": o.scope.kind, "id": o.scope.id, "name": o.scope.name},
        "period": (
            {"start": o.period[0].isoformat(), "end": o.period[1].isoformat()} if o.period else None
        ),
        "due": o.due.isoformat() if o.due else None,
        "interval_set_by": o.interval_set_by,
        "state": str(o.state),
        "responsible": [username(p) for p in o.responsible],
    }


def calendar_json(
    calendar: Calendar, occurrences: list[Occurrence] | None = None
) -> dict[str, Any]:
    """The fiscal year and its occurrences (all, or those given)."""
    return {
        "year": calendar.year,
        "start": calendar.start.isoformat(),
        "end": calendar.end.isoformat(),
        "occurrences": [
            occurrence_json(o)
            for o in (calendar.occurrences if occurrences is None else occurrences)
        ],
    }


def setting_json(r: Resolved) -> dict[str, Any]:
    """A settable value, its source and the organisation's basis (CLI and API)."""
    return {
        "key": r.key.key,
        "title": r.key.title,
        "value": r.value,
        "source": str(r.source),
        "clause": r.key.clause,
        "quote": r.key.quote,
        "basis": r.setting.basis if r.setting else None,
        "decided_by": r.setting.decided_by if r.setting else None,
        "decided_on": r.setting.decided_on.isoformat() if r.setting else None,
    }


HEADINGS = (
    "義務",
    "根拠条項",
    "引用",
    "頻度",
    "対象の種類",
    "対象",
    "期間の開始",
    "期間の終了",
    "期限",
    "間隔の出所",
    "状態",
    "担当者",
)


def calendar_xlsx(calendar: Calendar, occurrences: list[Occurrence]) -> bytes:
    """The occurrences as one sheet named by the fiscal year (令和8年度)."""
    rows = [
        (
            o.duty.title,
            o.duty.clause,
            o.duty.quote,
            o.duty.frequency,
            o.scope.kind,
            o.scope.name,
            o.period[0] if o.period else None,
            o.period[1] if o.period else None,
            o.due,
            o.interval_set_by or "未設定",
            str(o.state.label),
            "、".join(p.name for p in o.responsible),
        )
        for o in occurrences
    ]
    sheet = Sheet(
        title=calendar.label,
        headings=HEADINGS,
        rows=rows,
        count=len(rows),
        widths=(36, 12, 48, 18, 12, 20, 12, 12, 12, 12, 12, 24),
        wrap=(0, 2),
    )
    return write_xlsx([sheet])
