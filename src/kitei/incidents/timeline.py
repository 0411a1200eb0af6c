"""The append-only timeline of an incident: event time apart from recorded time, kinds,
corrections as new entries naming the one they correct; each entry also in the audit chain."""

from __future__ import annotations

import json
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.access import Actor
from kitei.core.models import ChangeRecord, Organization
from kitei.core.services import record_change
from kitei.incidents import visibility
from kitei.incidents.choices import EntryKind, IncidentAuditAction
from kitei.incidents.models import Incident, TimelineEntry


def write_entry(
    incident: Incident,
    *,
    actor: Actor,
    kind: str,
    text: str,
    event_at: datetime,
    corrects: TimelineEntry | None = None,
) -> TimelineEntry:
    author = access.person_of(actor) or incident.reporter
    entry = TimelineEntry.objects.create(
        organization=incident.organization,
        incident=incident,
        kind=kind,
        text=text,
        event_at=event_at,
        author=author,
        corrects=corrects,
    )
    record_change(
        incident.organization,
        actor=actor,
        action=IncidentAuditAction.ADD_TIMELINE_ENTRY,
        obj=entry,
        after={
            "incident": incident.number,
            "kind": kind,
            "text": text,
            "event_at": event_at.isoformat(),
            "recorded_at": entry.recorded_at.isoformat(),
            "corrects": corrects.pk if corrects else None,
        },
    )
    return entry


@transaction.atomic
def add_timeline_entry(
    incident: Incident,
    *,
    actor: Actor,
    kind: str,
    text: str,
    event_at: datetime,
    corrects: TimelineEntry | None = None,
) -> TimelineEntry:
    """Append an entry (a correction names the entry it corrects); people on the chain only."""
    if not visibility.can_see(actor, incident) or access.person_of(actor) is None:
        raise PermissionDenied(_("このインシデントに記録できません。"))
    if kind not in EntryKind.values or kind == EntryKind.STATE_CHANGE:
        raise ValidationError(_("記録の種類が正しくありません。"))
    if not text.strip():
        raise ValidationError(_("内容を入力してください。"))
    if event_at > timezone.now():
        raise ValidationError(_("未来の日時は記録できません。"))
    if (kind == EntryKind.CORRECTION) != (corrects is not None):
        raise ValidationError(_("訂正は、訂正する記録を指定して「訂正」として記録します。"))
    if corrects is not None and corrects.incident_id != incident.pk:
        raise ValidationError(_("訂正する記録がこのインシデントにありません。"))
    return write_entry(
        incident, actor=actor, kind=kind, text=text.strip(), event_at=event_at, corrects=corrects
    )


def mismatches(organization: Organization) -> list[str]:
    """Timeline entries that differ from what the audit chain recorded when they were written
    (an edit by SQL), or that have no record at all; one line each."""
    recorded = {
        r.object_id: json.loads(r.after)
        for r in ChangeRecord.objects.filter(
            organization=organization,
            action=IncidentAuditAction.ADD_TIMELINE_ENTRY,
            object_type=TimelineEntry._meta.label_lower,
        )
    }
    problems = []
    for e in TimelineEntry.objects.filter(organization=organization).order_by("pk"):
        after = recorded.get(str(e.pk))
        if after is None:
            problems.append(f"timeline entry {e.pk}: not in the audit trail")
            continue
        now = {"kind": e.kind, "text": e.text, "corrects": e.corrects_id}
        changed = sorted(k for k, v in now.items() if after.get(k) != v)
        if datetime.fromisoformat(after.get("event_at", "")) != e.event_at:
            changed.append("event_at")
        if changed:
            problems.append(
                f"timeline entry {e.pk}: {', '.join(changed)} differ from the audit trail"
            )
    return problems
