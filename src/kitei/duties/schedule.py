"""The fiscal-year calendar: every occurrence of every pack duty per scope, computed on demand.

Nothing is generated ahead: `compute(organization, year)` derives the occurrences from the
pack's `periodic_duties`, the organisation settings (`kitei.duties.orgsettings`) and the
fiscal year, so the calendar never runs out and never regenerates on edit. A
`DutyOccurrence` row exists only where someone acted (completed by hand, logged a 随時
occurrence); proofs from the registered satisfiers (`kitei.duties.satisfiers`) mark
occurrences done without any row of ours.

| frequency | occurrences |
| --- | --- |
| fiscal_year (毎年度) | one per scope, 4/1–3/31, due 3/31 (interval_set_by seed) |
| ISO 8601 duration | periods anchored at 4/1, due at each period's end (seed) |
| periodic_unspecified (定期的), per_plan | 「間隔未設定」 with the quote, due null, until the |
| | organisation sets `duty:<id>:interval` (interval_set_by organization) |
| continuous (常に・常時) | one standing obligation per scope, no due date |
| as_needed (随時・必要に応じて) | a log: one line per scope, plus each logged occurrence |

The responsible people are the role holders on the day the calendar is looked at (deputies
in their validity period included), so the 4月1日 人事異動 moves every open occurrence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from kitei.core import access
from kitei.core.fiscal import fiscal_year_bounds, fiscal_year_label
from kitei.core.models import Organization
from kitei.duties.choices import OccurrenceState
from kitei.duties.models import DutyOccurrence, OrgSetting
from kitei.duties.orgsettings import pack_of
from kitei.duties.periods import parse_interval, periods
from kitei.duties.satisfiers import Proof, Query, Scope, satisfier_for, scope_provider
from kitei.people.models import Department, Person, RoleAssignment
from kitei.people.queries import valid_on
from kitei.policy.model import DURATION, Pack, PeriodicDuty, Role
from kitei.systems.models import System

FIRST_YEAR, LAST_YEAR = 2000, 2100
"""The fiscal years the calendar answers for (anything else is a mistyped year)."""


@dataclass(slots=True, kw_only=True)
class Occurrence:
    """One occurrence of a duty for one scope in one fiscal year."""

    duty: PeriodicDuty
    scope: Scope
    period: tuple[date, date] | None
    due: date | None
    interval: str | None
    interval_set_by: str | None  # seed | organization | None
    state: OccurrenceState
    responsible: tuple[Person, ...]
    proof: Proof | None = None
    record: DutyOccurrence | None = None
    setting: OrgSetting | None = None

    @property
    def key(self) -> str:
        """A stable identifier of the occurrence (URLs, forms, element ids)."""
        start = self.period[0].isoformat() if self.period else "-"
        return f"{self.duty.id}~{self.scope.kind}~{self.scope.id or 0}~{start}"


@dataclass(frozen=True, kw_only=True)
class Calendar:
    """A fiscal year of an organisation's duties."""

    year: int
    start: date
    end: date
    label: str  # 令和8年度
    today: date
    pack_version: str
    pack_digest: str
    occurrences: list[Occurrence] = field(default_factory=list)


def check_year(year: int) -> int:
    """The year, or a Japanese ValidationError for one outside what the calendar answers."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            f"年度 {year} は扱えません（{FIRST_YEAR}〜{LAST_YEAR} の西暦で指定してください）。",
            code="year",
        )
    return year


class _Scopes:
    """The organisation's scopes of each kind, read once per computation."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self._cache: dict[str, list[Scope]] = {}

    def of(self, kind: str) -> list[Scope]:
        if kind not in self._cache:
            self._cache[kind] = list(self._read(kind))
        return self._cache[kind]

    def _read(self, kind: str) -> Iterable[Scope]:
        org = self.organization
        # values_list, not model instances: 300 systems and 300 people are read per request.
        if kind == "department":
            rows = access.scoped(Department.objects.all(), org).order_by("name", "pk")
            for pk, name in rows.values_list("pk", "name"):
                yield Scope(kind=kind, id=pk, name=name, department_id=pk)
        elif kind == "system":
            systems = access.scoped(System.objects.all(), org).order_by("name", "pk")
            fields = ("pk", "name", "department_id", "manager_id", "operator_id")
            for pk, name, department, manager, operator in systems.values_list(*fields):
                yield Scope(
                    kind=kind,
                    id=pk,
                    name=name,
                    department_id=department,
                    manager_id=manager,
                    operator_id=operator,
                )
        elif kind == "person":
            people = access.scoped(Person.objects.all(), org).order_by("name", "pk")
            for pk, name, department in people.values_list("pk", "name", "department_id"):
                yield Scope(kind=kind, id=pk, name=name, department_id=department)
        elif kind == "organization":
            yield Scope(kind=kind, id=None, name=str(org))
        else:
            provider = scope_provider(kind)
            if provider is not None:
                yield from provider(org)


class _Holders:
    """Who holds each role on a day (own and deputy assignments in their period)."""

    def __init__(self, organization: Organization, pack: Pack, on: date) -> None:
        self.roles: dict[str, Role] = {r.id: r for r in pack.roles}
        rows = (
            access.scoped(RoleAssignment.objects.filter(valid_on(on)), organization)
            .select_related("person__user")
            .order_by("person__name", "pk")
        )
        # Indexed once so that 300 systems × 60 duties need no scan of every assignment: a
        # department- or system-scoped role's assignments by the 課 or system they name, and
        # those naming neither (they reach the whole organisation).
        self.by_role: dict[str, list[RoleAssignment]] = defaultdict(list)
        self.unscoped: dict[str, list[RoleAssignment]] = defaultdict(list)
        self.by_place: dict[tuple[str, int], list[RoleAssignment]] = defaultdict(list)
        for a in rows:
            self.by_role[a.role_id].append(a)
            role = self.roles.get(a.role_id)
            place = (
                a.department_id
                if role is not None and role.scope == "department"
                else a.system_id
                if role is not None and role.scope == "system"
                else None
            )
            if place is None:
                self.unscoped[a.role_id].append(a)
            else:
                self.by_place[(a.role_id, place)].append(a)
        self.people: dict[int, Person] = {a.person_id: a.person for a in rows}
        self._person_rows: dict[int, Person] | None = None
        self._responsible: dict[tuple[tuple[str, ...], str, int | None], tuple[Person, ...]] = {}
        self.organization = organization

    def person(self, pk: int | None) -> Person | None:
        if pk is None:
            return None
        if pk not in self.people:
            if self._person_rows is None:
                rows = access.scoped(Person.objects.select_related("user"), self.organization)
                self._person_rows = {p.pk: p for p in rows}
            found = self._person_rows.get(pk)
            if found is None:
                return None
            self.people[pk] = found
        return self.people[pk]

    def responsible(self, duty: PeriodicDuty, scope: Scope) -> tuple[Person, ...]:
        """The holders of the duty's roles who reach the scope (read once per actors and scope)."""
        key = (duty.actors, scope.kind, scope.id)
        known = self._responsible.get(key)
        if known is None:
            known = self._responsible[key] = self._find(duty, scope)
        return known

    def _find(self, duty: PeriodicDuty, scope: Scope) -> tuple[Person, ...]:
        found: dict[int, Person] = {}
        for role_id in duty.actors:
            role = self.roles.get(role_id)
            if role is None:
                continue  # a party, not a role of the organisation
            if role.kind == "user_category":
                if scope.kind == "person" and scope.id is not None:
                    person = self.person(scope.id)
                    if person is not None:
                        found[person.pk] = person
                continue
            for a in self._reaching(role, scope):
                found[a.person_id] = a.person
            if role.register_column and scope.kind == "system":
                holder = self.person(getattr(scope, f"{role.register_column}_id"))
                if holder is not None:
                    found[holder.pk] = holder
        return tuple(found.values())

    def _reaching(self, role: Role, scope: Scope) -> list[RoleAssignment]:
        """The role's assignments that reach the scope (a 課's holder reaches its 課, a
        system's holder its system; an assignment naming neither reaches everything)."""
        if role.scope == "department" and scope.department_id is not None:
            place: int | None = scope.department_id
        elif role.scope == "system" and scope.kind == "system":
            place = scope.id
        else:
            return self.by_role.get(role.id, [])
        if place is None:
            return self.by_role.get(role.id, [])
        return self.unscoped.get(role.id, []) + self.by_place.get((role.id, place), [])


def _interval_plan(
    duty: PeriodicDuty, start: date, end: date, rows: list[OrgSetting]
) -> tuple[list[tuple[date, date, str, OrgSetting | None]], str | None]:
    """The periods of a duty in [start, end] and who set their interval (seed, organization).

    A seed interval (毎年度, an ISO 8601 duration) applies to the whole year. An organisation's
    interval applies from the start of the first period beginning on or after the day it was
    decided; a decision taken during the year also covers the year's earlier days when no
    earlier decision exists. An empty decision (unset) stops the schedule.
    """
    if duty.frequency == "fiscal_year":
        return [(start, end, "P1Y", None)], "seed"
    if DURATION.match(duty.frequency):
        try:
            interval = parse_interval(duty.frequency)
        except ValidationError:
            return [], None
        return [(a, b, duty.frequency, None) for a, b in periods(start, end, interval)], "seed"
    if not rows:
        return [], None
    result: list[tuple[date, date, str, OrgSetting | None]] = []
    current = start
    while current <= end:
        before = [r for r in rows if r.decided_on <= current]
        row = before[-1] if before else next((r for r in rows if r.decided_on <= end), None)
        if row is None or not row.value:
            break
        interval = parse_interval(row.value)
        first, last = periods(current, end, interval)[0]
        result.append((first, last, row.value, row))
        current = date.fromordinal(last.toordinal() + 1)
    return result, ("organization" if result else None)


def _state(period: tuple[date, date], today: date, done: bool) -> OccurrenceState:
    if done:
        return OccurrenceState.DONE
    if period[1] < today:
        return OccurrenceState.OVERDUE
    if today < period[0]:
        return OccurrenceState.UPCOMING
    return OccurrenceState.OPEN


def _proofs(organization: Organization, duty: PeriodicDuty, start: date, end: date) -> list[Proof]:
    found: list[Proof] = []
    for kind in duty.satisfied_by:
        satisfier, argument = satisfier_for(kind)
        if satisfier is not None:
            query = Query(duty=duty, argument=argument, start=start, end=end)
            found.extend(p for p in satisfier(organization, query) if start <= p.on <= end)
    return sorted(found, key=lambda p: p.on)


def compute(
    organization: Organization,
    year: int,
    *,
    now: datetime | None = None,
    pack: Pack | None = None,
    scope_kind: str = "",
    person: int | None = None,
) -> Calendar:
    """Every occurrence of every duty of the organisation's pack in fiscal year `year`.

    `scope_kind` and `person` (a responsible person's id) leave out the rest before any
    period is computed, so "my duties" costs only what the person is responsible for.
    """
    check_year(year)
    today = timezone.localdate(now) if now is not None else timezone.localdate()
    pack = pack or pack_of(organization)
    start, end = fiscal_year_bounds(year)
    scopes = _Scopes(organization)
    holders = _Holders(organization, pack, today)
    settings: dict[str, list[OrgSetting]] = defaultdict(list)
    for row in access.scoped(OrgSetting.objects.all(), organization).order_by("decided_on", "pk"):
        settings[row.key].append(row)
    records: dict[str, list[DutyOccurrence]] = defaultdict(list)
    for rec in access.scoped(DutyOccurrence.objects.filter(fiscal_year=year), organization):
        records[rec.duty].append(rec)
    result = Calendar(
        year=year,
        start=start,
        end=end,
        label=fiscal_year_label(year),
        today=today,
        pack_version=getattr(organization, "pack_version", ""),
        pack_digest=getattr(organization, "pack_digest", ""),
    )
    year_of = _Year(
        organization=organization,
        holders=holders,
        start=start,
        end=end,
        today=today,
        person=person,
    )
    for duty in pack.periodic_duties:
        if scope_kind and (duty.scope or "organization") != scope_kind:
            continue
        result.occurrences.extend(
            _duty_occurrences(
                year_of,
                duty,
                scopes.of(duty.scope or "organization"),
                settings.get(f"duty:{duty.id}:interval", []),
                records.get(duty.id, []),
            )
        )
    return result


@dataclass(frozen=True, kw_only=True)
class _Year:
    """What every duty's occurrences of one computation share."""

    organization: Organization
    holders: _Holders
    start: date
    end: date
    today: date
    person: int | None = None

    def wanted(self, responsible: tuple[Person, ...]) -> bool:
        """Whether an occurrence with these responsible people passes the person filter."""
        return self.person is None or any(p.pk == self.person for p in responsible)


def _duty_occurrences(
    year: _Year,
    duty: PeriodicDuty,
    scopes: list[Scope],
    rows: list[OrgSetting],
    records: list[DutyOccurrence],
) -> Iterator[Occurrence]:
    used: set[int] = set()
    if duty.frequency in ("continuous", "as_needed"):
        yield from _unscheduled(year, duty, scopes)
    else:
        yield from _scheduled(year, duty, scopes, rows, records, used=used)
    yield from _leftovers(year, duty, scopes, [r for r in records if r.pk not in used])


def _unscheduled(year: _Year, duty: PeriodicDuty, scopes: list[Scope]) -> Iterator[Occurrence]:
    """常時 → one standing obligation per scope; 随時 → one log line per scope, and one done
    occurrence for each proof of the year (a session of a 随時 training, for instance)."""
    state = OccurrenceState.STANDING if duty.frequency == "continuous" else OccurrenceState.LOG
    proofs: dict[tuple[str, int | None], list[Proof]] = defaultdict(list)
    if duty.frequency == "as_needed":
        for proof in _proofs(year.organization, duty, year.start, year.end):
            proofs[(proof.scope_kind, proof.scope_id)].append(proof)
    for scope in scopes:
        responsible = year.holders.responsible(duty, scope)
        if not year.wanted(responsible):
            continue
        yield Occurrence(
            duty=duty,
            scope=scope,
            period=None,
            due=None,
            interval=None,
            interval_set_by=None,
            state=state,
            responsible=responsible,
        )
        for proof in proofs.get((scope.kind, scope.id), ()):
            yield Occurrence(
                duty=duty,
                scope=scope,
                period=(proof.on, proof.on),
                due=None,
                interval=None,
                interval_set_by=None,
                state=OccurrenceState.DONE,
                responsible=responsible,
                proof=proof,
            )


def _scheduled(
    year: _Year,
    duty: PeriodicDuty,
    scopes: list[Scope],
    rows: list[OrgSetting],
    records: list[DutyOccurrence],
    *,
    used: set[int],
) -> Iterator[Occurrence]:
    """The periods of a duty per scope, done by a proof or a record; 間隔未設定 without any."""
    start, end, today = year.start, year.end, year.today
    by_key = {(r.scope_kind, r.scope_id, r.period_start): r for r in records}
    plan, set_by = _interval_plan(duty, start, end, rows)
    proofs: dict[tuple[str, int | None], list[Proof]] = defaultdict(list)
    if plan:
        for proof in _proofs(year.organization, duty, start, end):
            proofs[(proof.scope_kind, proof.scope_id)].append(proof)
    for scope in scopes:
        responsible = year.holders.responsible(duty, scope)
        if not year.wanted(responsible):
            continue
        if not plan:
            yield Occurrence(
                duty=duty,
                scope=scope,
                period=None,
                due=None,
                interval=None,
                interval_set_by=None,
                state=OccurrenceState.INTERVAL_UNSET,
                responsible=responsible,
            )
            continue
        mine = proofs.get((scope.kind, scope.id))
        for first, last, interval, setting in plan:
            record = by_key.get((scope.kind, scope.id, first)) if by_key else None
            found = next((p for p in mine if first <= p.on <= last), None) if mine else None
            if record is not None:
                used.add(record.pk)
            yield Occurrence(
                duty=duty,
                scope=scope,
                period=(first, last),
                due=last,
                interval=interval,
                interval_set_by=set_by,
                state=_state((first, last), today, found is not None or record is not None),
                responsible=responsible,
                proof=found,
                record=record,
                setting=setting,
            )


def _leftovers(
    year: _Year, duty: PeriodicDuty, scopes: list[Scope], records: list[DutyOccurrence]
) -> Iterator[Occurrence]:
    """What someone logged or completed that no computed occurrence holds (随時 entries,
    必要に応じて extras, periods of an interval since changed): shown as done, never lost."""
    scope_names = {(s.kind, s.id): s for s in scopes}
    for rec in records:
        scope = scope_names.get((rec.scope_kind, rec.scope_id)) or Scope(
            kind=rec.scope_kind, id=rec.scope_id, name=""
        )
        period = (rec.period_start, rec.period_end) if rec.period_start and rec.period_end else None
        responsible = year.holders.responsible(duty, scope)
        if year.wanted(responsible):
            yield Occurrence(
                duty=duty,
                scope=scope,
                period=period,
                due=None,
                interval=None,
                interval_set_by=None,
                state=OccurrenceState.DONE,
                responsible=responsible,
                record=rec,
            )
