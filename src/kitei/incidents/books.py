"""The record book the response writes: 002 6-3(2)エ 「原因を究明し、記録を保存」.

When the pack names the book `incident-record` with a `cause` field, the recurrence-prevention
report needs the cause, and the cause is appended to that book (kitei.records) in the same
transaction. Packs without that book record nothing here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.access import Actor
from kitei.incidents.models import Incident
from kitei.policy.model import Pack
from kitei.records.models import RecordEntry
from kitei.records.services import record_entry

CAUSE_BOOK = "incident-record"
CAUSE_FIELD = "cause"


def keeps_cause(pack: Pack) -> bool:
    """Whether the pack names the cause record book (002 6-3(2)エ)."""
    book = next((b for b in pack.record_books if b.id == CAUSE_BOOK), None)
    return book is not None and any(f.id == CAUSE_FIELD for f in book.fields)


def check_cause(pack: Pack, cause: str) -> None:
    """Refuse a prevention report without the cause where the pack keeps one."""
    if keeps_cause(pack) and not cause.strip():
        raise ValidationError(_("原因を入力してください（原因究明の記録に保存します）。"))


def record_cause(incident: Incident, pack: Pack, *, actor: Actor, cause: str) -> RecordEntry | None:
    """Append the cause to the pack's cause record book; None where the pack has none."""
    if not keeps_cause(pack):
        return None
    person = access.person_of(actor) or incident.reporter
    return record_entry(
        incident.organization,
        actor=actor,
        book=CAUSE_BOOK,
        recorded_by=person,
        fields={CAUSE_FIELD: f"{incident.number} {incident.title}: {cause.strip()}"},
    )
