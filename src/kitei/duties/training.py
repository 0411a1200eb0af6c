"""Who still owes a new member's training (研修未受講), from the people register.

A pack duty that happens 随時 (`as_needed`) and is proved by a training session
(`satisfied_by: training_session`) is owed by each person who joins: mito's
`new-member-training` (6-2(2)イ 初当選の議員及び新規採用の職員を対象とする研修).
A person joins on the first day of their membership in the organisation
(`Membership.valid_from`); they stay 「研修未受講」 until an attendance of a session of
that duty held on or after that day exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.fiscal import fiscal_year_bounds
from kitei.core.models import Organization
from kitei.duties.models import Attendance
from kitei.duties.orgsettings import pack_of
from kitei.people.models import Membership, Person
from kitei.policy.model import PeriodicDuty


@dataclass(frozen=True, kw_only=True)
class Untrained:
    """A person who joined in the year and has not attended the duty's training since."""

    person: Person
    joined: date
    duty: PeriodicDuty


def joining_duties(organization: Organization) -> list[PeriodicDuty]:
    """The pack's duties owed once by each person who joins (随時, proved by training)."""
    return [
        d
        for d in pack_of(organization).periodic_duties
        if d.frequency == "as_needed" and "training_session" in d.satisfied_by
    ]


def untrained(organization: Organization, year: int) -> list[Untrained]:
    """People whose membership began in fiscal year `year` without the joining training since."""
    duties = joining_duties(organization)
    if not duties:
        return []
    start, end = fiscal_year_bounds(year)
    joined: dict[int, date] = {}
    memberships = access.scoped(Membership.objects.all(), organization).filter(
        valid_from__gte=start, valid_from__lte=end
    )
    for person_id, first in memberships.values_list("person_id", "valid_from"):
        if first is not None:
            joined[person_id] = min(first, joined.get(person_id, first))
    people = access.scoped(Person.objects.filter(pk__in=list(joined)), organization)
    result = []
    for duty in duties:
        attended: dict[int, list[date]] = {}
        rows = access.scoped(Attendance.objects.all(), organization).filter(
            session__duty=duty.id, person_id__in=list(joined)
        )
        for person_id, held in rows.values_list("person_id", "session__held_on"):
            attended.setdefault(person_id, []).append(held)
        for person in people.order_by("name", "pk"):
            since = joined[person.pk]
            if not any(day >= since for day in attended.get(person.pk, ())):
                result.append(Untrained(person=person, joined=since, duty=duty))
    return result


@dataclass(frozen=True, kw_only=True)
class Coverage:
    """How many of an audience (a 課's people, a role's holders) attended a duty's training."""

    kind: str  # department | role
    label: str
    attended: int
    audience: int

    @property
    def ratio(self) -> float:
        """attended / audience (0 for an empty audience)."""
        return self.attended / self.audience if self.audience else 0.0


def coverage(organization: Organization, year: int, duty_id: str) -> list[Coverage]:
    """Per 課 and per role (holders on the year's last day, or today if earlier): how many
    attended at least one session of the duty held in fiscal year `year`."""
    from django.utils import timezone  # noqa: PLC0415 - only here

    from kitei.people.models import RoleAssignment  # noqa: PLC0415
    from kitei.people.queries import valid_on  # noqa: PLC0415

    start, end = fiscal_year_bounds(year)
    attended = set(
        access.scoped(Attendance.objects.all(), organization)
        .filter(session__duty=duty_id, session__held_on__gte=start, session__held_on__lte=end)
        .values_list("person_id", flat=True)
    )
    result = []
    people = access.scoped(Person.objects.all(), organization).select_related("department")
    by_department: dict[str, set[int]] = {}
    for person in people:
        name = person.department.name if person.department else _("（所属なし）")
        by_department.setdefault(name, set()).add(person.pk)
    for name, members in sorted(by_department.items()):
        result.append(
            Coverage(
                kind="department", label=name, attended=len(members & attended),
                audience=len(members),
            )
        )  # fmt: skip
    titles = {r.id: r.title for r in pack_of(organization).roles}
    on = min(end, timezone.localdate())
    holders: dict[str, set[int]] = {}
    rows = access.scoped(RoleAssignment.objects.filter(valid_on(on)), organization)
    for role_id, person_id in rows.values_list("role_id", "person_id"):
        holders.setdefault(role_id, set()).add(person_id)
    for role_id, members in sorted(holders.items()):
        result.append(
            Coverage(
                kind="role", label=titles.get(role_id, role_id),
                attended=len(members & attended), audience=len(members),
            )
        )  # fmt: skip
    return result
