"""`/api/calendar` and `/api/settings`: the fiscal-year duties and the organisation's values.

`/api/calendar?year=2026` answers exactly what `kitei calendar ORG --year 2026 --json`
prints, for the token's organisation, optionally narrowed by scope, state and person.
`/api/settings` lists every settable value with its source (seed, organization, unset).
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from kitei.core.api.auth import ApiError, TokenAuth, caller_of
from kitei.core.api.errors import ERRORS
from kitei.core.numbering import fiscal_year
from kitei.duties import export, orgsettings, queries, schedule

router = Router(tags=["年度の義務"])


class CalendarFilters(Schema):
    """Which fiscal year, and what to narrow to."""

    year: int | None = Field(
        None,
        ge=schedule.FIRST_YEAR,
        le=schedule.LAST_YEAR,
        description="年度（西暦。2026 = 令和8年度）。省略時は今年度",
    )
    scope: Literal["organization", "department", "system", "person", "contract"] | None = None
    state: (
        Literal["due", "upcoming", "open", "overdue", "done", "interval_unset", "standing", "log"]
        | None
    ) = None
    person: int | None = Field(None, ge=1, le=2**62, description="担当者（職員の id）")


class ScopeOut(Schema):
    kind: str
    id: int | None
    name: str


class PeriodOut(Schema):
    start: str
    end: str


class OccurrenceOut(Schema):
    """One occurrence (the CLI contract's fields)."""

    duty: str
    title: str
    clause: str
    quote: str
    frequency: str
    scope: ScopeOut
    period: PeriodOut | None
    due: str | None
    interval_set_by: str | None = Field(description="seed・organization、定めがなければ null")
    state: str
    responsible: list[str]


class CalendarOut(Schema):
    year: int
    start: str
    end: str
    occurrences: list[OccurrenceOut]


class SettingOut(Schema):
    """A settable value, where it comes from, and the organisation's basis."""

    key: str
    title: str
    value: str | None
    source: str = Field(description="seed・organization・unset")
    clause: str
    quote: str
    basis: str | None
    decided_by: str | None
    decided_on: str | None


@router.get(
    "/calendar",
    response={200: CalendarOut, **ERRORS},
    auth=TokenAuth("duties.view"),
    summary="年度の義務",
)
def calendar(request: HttpRequest, filters: Query[CalendarFilters]) -> dict[str, Any]:
    """Every occurrence of the pack's duties in a fiscal year of the caller's organisation."""
    organization = caller_of(request).organization
    year = filters.year if filters.year is not None else fiscal_year(timezone.localdate())
    try:
        result = schedule.compute(
            organization, year, scope_kind=filters.scope or "", person=filters.person
        )
    except ValidationError as exc:
        raise ApiError(422, "year", " ".join(exc.messages)) from None
    narrowed = queries.narrowed(
        result.occurrences,
        queries.Filters(
            scope=filters.scope or "", state=filters.state or "", person=filters.person
        ),
    )
    return export.calendar_json(result, narrowed)


@router.get(
    "/settings",
    response={200: list[SettingOut], **ERRORS},
    auth=TokenAuth("duties.view"),
    summary="実施手順の値（組織の設定）",
)
def settings(request: HttpRequest) -> list[dict[str, Any]]:
    """Every value the organisation may set, with its source and basis."""
    organization = caller_of(request).organization
    return [export.setting_json(r) for r in orgsettings.resolve_all(organization)]
