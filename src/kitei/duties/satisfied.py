"""The satisfiers kitei.duties registers itself: record-book entries and training sessions.

- `book:<id>`: an entry of that record book recorded inside the period proves the
  organisation's occurrence; it also proves the occurrence of the person it concerns (or
  who recorded it), of that person's 課, and of the system of the request it records.
- `training_session`: a session held inside the period proves the organisation's occurrence
  and, through its attendances, each attendee's and each attendee's 課.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from kitei.core import access
from kitei.duties.models import Attendance, TrainingSession
from kitei.duties.satisfiers import Proof, Query, register_satisfier
from kitei.records.models import RecordEntry


def _bounds(query: Query) -> tuple[datetime, datetime]:
    """The period as aware datetimes: its first day's 0:00 to the next day after its end (JST)."""
    start = timezone.make_aware(datetime.combine(query.start, time.min))
    end = timezone.make_aware(datetime.combine(query.end + timedelta(days=1), time.min))
    return start, end


def book_entries(organization: Any, query: Query) -> Iterator[Proof]:
    """Entries of the book `query.argument` recorded in the period."""
    start, end = _bounds(query)
    entries = (
        access.scoped(RecordEntry.objects.all(), organization)
        .filter(book=query.argument, recorded_at__gte=start, recorded_at__lt=end)
        .select_related("person", "recorded_by", "request")
        .order_by("recorded_at", "pk")
    )
    for entry in entries:
        on = timezone.localdate(entry.recorded_at)
        proof = Proof(
            on=on,
            scope_kind="organization",
            scope_id=None,
            label=f"{entry.book} {entry.number}",
            url=reverse("records:book", args=[entry.book]) + f"#entry-{entry.pk}",
            object_type="records.recordentry",
            object_id=str(entry.pk),
        )
        yield proof
        person = entry.person or entry.recorded_by
        yield replace(proof, scope_kind="person", scope_id=person.pk)
        if person.department_id is not None:
            yield replace(proof, scope_kind="department", scope_id=person.department_id)
        if entry.request is not None and entry.request.system_id is not None:
            yield replace(proof, scope_kind="system", scope_id=entry.request.system_id)


def training_sessions(organization: Any, query: Query) -> Iterator[Proof]:
    """Training sessions held in the period, for the organisation and for each attendee."""
    sessions = access.scoped(TrainingSession.objects.all(), organization).filter(
        held_on__gte=query.start, held_on__lte=query.end
    )
    by_id = {s.pk: s for s in sessions.order_by("held_on", "pk")}
    for session in by_id.values():
        yield _session_proof(session, "organization", None)
    attendances = (
        access.scoped(Attendance.objects.all(), organization)
        .filter(session_id__in=list(by_id))
        .select_related("person")
    )
    for attendance in attendances:
        session = by_id[attendance.session_id]
        yield _session_proof(session, "person", attendance.person_id)
        if attendance.person.department_id is not None:
            yield _session_proof(session, "department", attendance.person.department_id)


def _session_proof(session: TrainingSession, kind: str, scope_id: int | None) -> Proof:
    return Proof(
        on=session.held_on,
        scope_kind=kind,
        scope_id=scope_id,
        label=session.title,
        url=reverse("duties:training", args=[session.pk]),
        object_type="duties.trainingsession",
        object_id=str(session.pk),
    )


register_satisfier("book", book_entries)
register_satisfier("training_session", training_sessions)
