"""Attendance of a training session from a CSV or .xlsx file (an e-learning export).

The file has a heading row with 「台帳番号」 (the people register's number, as the 職員名簿
export writes it) and optionally 「氏名」, which must then match the register. Every row is
checked first; one bad row (an unknown or another organisation's number, a name that does
not match, a person listed twice or already recorded) and nothing is written, and every
problem is listed with its line. Otherwise all attendances are recorded in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.read_limits import UnreadableFileError
from kitei.core.tabular import Refused, RowError, heading_columns, open_tables
from kitei.duties.models import Attendance, TrainingSession
from kitei.duties.services import record_attendance
from kitei.people.models import Person

NUMBER, NAME = "台帳番号", "氏名"


@dataclass(kw_only=True)
class AttendanceImport:
    """What an import did: how many attendances it recorded, or why it recorded none."""

    added: int = 0
    errors: list[RowError] = field(default_factory=list)


def import_attendance(
    session: TrainingSession, *, actor: access.Actor, data: bytes
) -> AttendanceImport:
    """Record the attendances a file lists, all or none."""
    organization = session.organization
    access.require(actor, "training.manage", organization)
    result = AttendanceImport()
    try:
        with open_tables(data) as tables:
            rows = list(tables.rows(tables.pick() or ""))
    except UnreadableFileError as exc:
        result.errors.append(RowError(line=None, column="", reason=str(exc)))
        return result
    if not rows:
        result.errors.append(RowError(line=None, column="", reason=_("行がありません。")))
        return result
    line, heading = rows[0]
    known = {NUMBER: NUMBER, NAME: NAME}
    columns, result.errors = heading_columns(line, heading, known=known, required=(NUMBER,))
    if result.errors:
        return result
    people = {p.pk: p for p in access.scoped(Person.objects.all(), organization)}
    done = set(Attendance.objects.filter(session=session).values_list("person_id", flat=True))
    chosen: dict[int, int] = {}
    for number, values in rows[1:]:
        person, reason = _person(values, columns, people)
        if person is not None and person.pk in chosen:
            reason = _("%(line)d行目と同じ職員です。") % {"line": chosen[person.pk]}
        elif person is not None and person.pk in done:
            reason = _("この職員の出席はすでに記録されています。")
        if reason or person is None:
            result.errors.append(RowError(line=number, column=NUMBER, reason=reason))
            continue
        chosen[person.pk] = number
    if result.errors:
        return result
    with transaction.atomic():
        for pk in chosen:
            record_attendance(session, actor=actor, person=people[pk])
    result.added = len(chosen)
    return result


def _cell(values: Sequence[object], index: int | None) -> object:
    return values[index] if index is not None and index < len(values) else ""


def _person(
    values: Sequence[object], columns: dict[str, int], people: dict[int, Person]
) -> tuple[Person | None, str]:
    raw = _cell(values, columns.get(NUMBER))
    if isinstance(raw, Refused):
        return None, raw.reason
    text = str(raw).strip()
    if not text.isdigit() or len(text) > 18:
        return None, _("台帳番号「%(value)s」は数字ではありません。") % {"value": text}
    person = people.get(int(text))
    if person is None:
        return None, _("台帳番号 %(value)s の職員はこの組織にいません。") % {"value": text}
    name = _cell(values, columns.get(NAME))
    if isinstance(name, str) and name.strip() and name.strip() != person.name:
        return None, _("氏名「%(name)s」が台帳番号 %(value)s の職員（%(person)s）と違います。") % {
            "name": name.strip(),
            "value": text,
            "person": person.name,
        }
    return person, ""
