"""The writes of the duties app: completing an occurrence by hand, training and attendance.

Each write checks its permission through `kitei.core.access`, runs in one transaction and
appends one ChangeRecord citing the clause and quote of the pack version it was made under.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core import access, evidence
from kitei.core.services import record_change
from kitei.duties import schedule
from kitei.duties.choices import DutyAuditAction, OccurrenceState
from kitei.duties.models import Attendance, DutyOccurrence, TrainingSession
from kitei.duties.orgsettings import pack_of
from kitei.people.models import Person
from kitei.policy.model import PeriodicDuty

COMPLETABLE = (
    OccurrenceState.OPEN,
    OccurrenceState.OVERDUE,
    OccurrenceState.UPCOMING,
    OccurrenceState.LOG,  # a 随時 duty: each time it is done is logged with its evidence
)


def find_occurrence(organization: Any, year: int, key: str) -> schedule.Occurrence:
    """The computed occurrence with `key` in the year, or a ValidationError."""
    calendar = schedule.compute(organization, year)
    found = next((o for o in calendar.occurrences if o.key == key), None)
    if found is None:
        raise ValidationError(_("この年度にそのような義務はありません。"), code="occurrence")
    return found


def may_complete(actor: access.Actor, organization: Any, occurrence: schedule.Occurrence) -> bool:
    """Whoever is responsible for the occurrence may complete it (kitei's rule), and the
    holders of `duties.complete` (organisation administrators unless the pack grants it)."""
    person = access.person_of(actor)
    if person is not None and any(p.pk == person.pk for p in occurrence.responsible):
        return bool(person.organization_id == organization.pk)
    return access.check(actor, "duties.complete", organization).allowed


@transaction.atomic
def complete_occurrence(
    organization: Any,
    *,
    actor: access.Actor,
    year: int,
    key: str,
    completed_on: date,
    note: str,
    upload: File[Any],
    evidence_date: date | None = None,
) -> DutyOccurrence:
    """Record that an occurrence was done, by hand, with an evidence file.

    For a 随時 duty's log line, each call logs one more time it was done (no period): the
    log line stays, and the logged occurrence is listed as done beside it.

    Refused for an occurrence already done (by a proof or by hand), one without a period
    (間隔未設定, 常時), and for anyone who is neither
    responsible for it nor holds `duties.complete`.
    """
    occurrence = find_occurrence(organization, year, key)
    if not may_complete(actor, organization, occurrence):
        access.require(actor, "duties.complete", organization)  # raises the Refusal
    if occurrence.state == OccurrenceState.DONE:
        raise ValidationError(_("この義務はすでに完了しています。"), code="done")
    if occurrence.state not in COMPLETABLE:
        raise ValidationError(
            _("実施間隔が定まっていない義務は完了にできません（%(state)s）。")
            % {"state": occurrence.state.label},
            code="state",
        )
    note = note.strip()
    if not note:
        raise ValidationError(_("実施内容を入力してください。"), code="note")
    if completed_on > timezone.localdate():
        raise ValidationError(_("実施日に未来の日付は指定できません。"), code="completed_on")
    person = access.person_of(actor)
    if not isinstance(person, Person):
        raise ValidationError(_("職員として登録された利用者だけが記録できます。"), code="person")
    row = _write(
        organization,
        occurrence=occurrence,
        person=person,
        completed_on=completed_on,
        note=note,
        year=year,
    )
    record_change(
        organization,
        actor=actor,
        action=DutyAuditAction.COMPLETE_OCCURRENCE,
        obj=row,
        after=_snapshot(row, occurrence.duty),
    )
    evidence.attach_evidence(
        organization,
        actor=actor,  # type: ignore[arg-type]  # an Operator may not upload: refused by access
        obj=row,
        upload=upload,
        evidence_date=evidence_date or completed_on,
        description=note,
    )
    return row


def _write(
    organization: Any,
    *,
    occurrence: schedule.Occurrence,
    person: Person,
    completed_on: date,
    note: str,
    year: int,
) -> DutyOccurrence:
    start, end = occurrence.period if occurrence.period else (None, None)
    return DutyOccurrence.objects.create(
        organization=organization,
        duty=occurrence.duty.id,
        fiscal_year=year,
        scope_kind=occurrence.scope.kind,
        scope_id=occurrence.scope.id,
        period_start=start,
        period_end=end,
        completed_on=completed_on,
        completed_by=person,
        note=note,
        clause=occurrence.duty.clause,
        quote=occurrence.duty.quote,
        pack_version=organization.pack_version,
        pack_digest=organization.pack_digest,
    )


def _snapshot(row: DutyOccurrence, duty: PeriodicDuty) -> dict[str, Any]:
    return {
        "duty": row.duty,
        "title": duty.title,
        "fiscal_year": row.fiscal_year,
        "scope_kind": row.scope_kind,
        "scope_id": row.scope_id,
        "period_start": row.period_start.isoformat() if row.period_start else None,
        "period_end": row.period_end.isoformat() if row.period_end else None,
        "completed_on": row.completed_on.isoformat(),
        "completed_by": row.completed_by.name,
        "note": row.note,
        "clause": row.clause,
        "quote": row.quote,
        "pack_digest": row.pack_digest,
    }


def training_duties(organization: Any) -> list[PeriodicDuty]:
    """The pack's duties a training session satisfies (`satisfied_by: training_session`)."""
    return [
        d for d in pack_of(organization).periodic_duties if "training_session" in d.satisfied_by
    ]


@transaction.atomic
def record_training(
    organization: Any,
    *,
    actor: access.Actor,
    title: str,
    held_on: date,
    duty_id: str,
    attendees: list[Person] | None = None,
) -> TrainingSession:
    """Record a 研修・訓練 held on a day, citing the duty it satisfies, with its attendees."""
    access.require(actor, "training.manage", organization)
    duty = next((d for d in training_duties(organization) if d.id == duty_id), None)
    if duty is None:
        raise ValidationError(
            _("研修・訓練で満たされる義務を選んでください（パックに「%(duty)s」はありません）。")
            % {"duty": duty_id},
            code="duty",
        )
    title = title.strip()
    if not title:
        raise ValidationError(_("研修・訓練の名称を入力してください。"), code="title")
    if held_on > timezone.localdate():
        raise ValidationError(_("実施日に未来の日付は指定できません。"), code="held_on")
    person = access.person_of(actor)
    session = TrainingSession.objects.create(
        organization=organization,
        title=title,
        held_on=held_on,
        duty=duty.id,
        clause=duty.clause,
        quote=duty.quote,
        pack_version=organization.pack_version,
        pack_digest=organization.pack_digest,
        recorded_by=person if isinstance(person, Person) else None,
        recorded_by_name=str(actor.get_username()),
    )
    record_change(
        organization,
        actor=actor,
        action=DutyAuditAction.RECORD_TRAINING,
        obj=session,
        after={
            "title": session.title,
            "held_on": held_on.isoformat(),
            "duty": duty.id,
            "clause": duty.clause,
            "quote": duty.quote,
            "pack_digest": session.pack_digest,
        },
    )
    for attendee in attendees or ():
        record_attendance(session, actor=actor, person=attendee)
    return session


@transaction.atomic
def record_attendance(
    session: TrainingSession, *, actor: access.Actor, person: Person
) -> Attendance:
    """Record that a person of the organisation attended the session (once)."""
    organization = session.organization
    access.require(actor, "training.manage", organization)
    if person.organization_id != organization.pk:
        raise ValidationError(_("別の組織の職員は記録できません。"), code="person")
    if Attendance.objects.filter(session=session, person=person).exists():
        raise ValidationError(
            _("%(name)s さんの出席はすでに記録されています。") % {"name": person.name},
            code="duplicate",
        )
    row = Attendance.objects.create(
        organization=organization,
        session=session,
        person=person,
        recorded_by_name=str(actor.get_username()),
    )
    record_change(
        organization,
        actor=actor,
        action=DutyAuditAction.RECORD_ATTENDANCE,
        obj=row,
        after={"session": session.title, "person": person.name, "clause": session.clause},
    )
    return row
