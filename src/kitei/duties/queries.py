"""Filters of the calendar, shared by the page, the home page, the CLI and the iCal feed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kitei.duties.choices import OccurrenceState
from kitei.duties.schedule import Occurrence


@dataclass(frozen=True, kw_only=True)
class Filters:
    """What the calendar page narrows to (every field optional)."""

    scope: str = ""  # organization | department | system | person | contract
    state: str = ""  # an OccurrenceState value, or "due" (open or overdue)
    person: int | None = None  # a responsible person's id
    duty: str = ""
    department: int | None = None  # a 課: its own, its systems' and its people's occurrences


DUE = "due"


def matches(occurrence: Occurrence, filters: Filters) -> bool:
    """Whether an occurrence passes the filters."""
    if filters.scope and occurrence.scope.kind != filters.scope:
        return False
    if filters.duty and occurrence.duty.id != filters.duty:
        return False
    if filters.department is not None and occurrence.scope.department_id != filters.department:
        return False
    if filters.state == DUE:
        if occurrence.state not in (OccurrenceState.OPEN, OccurrenceState.OVERDUE):
            return False
    elif filters.state and occurrence.state != filters.state:
        return False
    return filters.person is None or any(p.pk == filters.person for p in occurrence.responsible)


def narrowed(occurrences: Iterable[Occurrence], filters: Filters) -> list[Occurrence]:
    """The occurrences passing the filters, in calendar order."""
    return [o for o in occurrences if matches(o, filters)]
