"""The calendar as the CLI contract's JSON (`kitei calendar ORG --year 2026 --json`, the API)."""

from __future__ import annotations

from typing import Any

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
