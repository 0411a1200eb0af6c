"""The only writers of incidents, their report steps and timelines.

Filing creates, in one transaction, the incident, the report steps of the pack's chain
that apply to it (each resolved to the people holding the role today, or to an outside
party), opens those that wait on nobody, queues their e-mail and writes the ChangeRecords.
Acknowledging a step opens the steps that waited for its recipient's role; judging the
report an incident opens the CSIRT's steps (stage `incident`), the prevention report those
of stage `prevention`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.assets.models import Asset
from kitei.core import access, numbering, workflow
from kitei.core.access import Actor
from kitei.core.actors import Operator
from kitei.core.models import Organization
from kitei.core.services import record_change
from kitei.incidents import chain, notifications
from kitei.incidents.choices import (
    RESTRICTED_FLAGS,
    EntryKind,
    IncidentAuditAction,
    IncidentEvent,
    IncidentState,
    Means,
    Source,
    StepState,
)
from kitei.incidents.models import Incident, ReportStep, TimelineEntry
from kitei.incidents.workflow import EVENT_CLAUSE, INCIDENT_WORKFLOW, NO_CLAUSE
from kitei.people.models import Person
from kitei.policy.model import Pack
from kitei.systems.models import System

KIND = "incidents"  # the numbering counter: R8-0001 per organisation and fiscal year
TRIAGE = "incidents.triage"


def pack_of(incident_or_org: Incident | Organization) -> Pack:
    """The pack version the incident was filed under (or the organisation's today)."""
    if isinstance(incident_or_org, Incident):
        return access.engine_for(incident_or_org.pack_id, incident_or_org.pack_digest).pack
    org = incident_or_org
    return access.engine_for(org.pack_id, org.pack_digest).pack


def _person(actor: Actor, person: Person | None, organization: Organization) -> Person:
    found = person if person is not None else access.person_of(actor)
    if found is None or found.organization_id != organization.pk:
        raise PermissionDenied(_("この組織の構成員ではありません。"))
    return found


def _clean_flags(pack: Pack, flags: Iterable[str]) -> list[str]:
    known = chain.known_flags(pack)
    result = []
    for flag in flags:
        if flag not in known:
            raise ValidationError(
                _("「%(flag)s」は指定できません（指定できるもの: %(known)s）。")
                % {"flag": flag, "known": "、".join(known)}
            )
        if flag not in result:
            result.append(flag)
    return result


@transaction.atomic
def file_incident(
    organization: Organization,
    *,
    actor: Actor,
    title: str,
    description: str,
    detected_at: datetime,
    kind: str = "",
    occurred_at: datetime | None = None,
    source: str = Source.INTERNAL,
    flags: Iterable[str] = (),
    assets: Sequence[Asset] = (),
    systems: Sequence[System] = (),
    person: Person | None = None,
) -> Incident:
    """File an incident and open the pack's chain for it (or mark it manual)."""
    access.require(actor, "incidents.file", organization)
    reporter = _person(actor, person, organization)
    pack = pack_of(organization)
    found = chain.find_kind(pack, kind) if kind else None
    if pack.incident_kinds and found is None:
        raise ValidationError(_("種別を選んでください。"))
    if not title.strip() or not description.strip():
        raise ValidationError(_("件名と発生した事象を入力してください。"))
    if source not in Source.values:
        raise ValidationError(_("認知の経緯が正しくありません。"))
    now = timezone.now()
    if detected_at > now or (occurred_at is not None and occurred_at > now):
        raise ValidationError(_("認知日時・発生日時に未来の日時は指定できません。"))
    if occurred_at is not None and occurred_at > detected_at:
        raise ValidationError(_("発生日時は認知日時より前にしてください。"))
    rows: list[Asset | System] = [*assets, *systems]
    if any(row.organization_id != organization.pk for row in rows):
        raise ValidationError(_("他の組織の台帳の行は指定できません。"))
    clean = _clean_flags(pack, flags)
    incident = Incident.objects.create(
        organization=organization,
        number=numbering.next_number(organization, KIND),
        kind=found.id if found else "",
        kind_title=found.title if found else "",
        title=title.strip(),
        description=description.strip(),
        occurred_at=occurred_at,
        detected_at=detected_at,
        reported_at=now,
        source=source,
        flags=clean,
        severity=chain.severity_of(pack, clean) or "",
        restricted=bool(RESTRICTED_FLAGS & set(clean)),
        reporter=reporter,
        pack_id=organization.pack_id,
        pack_version=organization.pack_version,
        pack_digest=organization.pack_digest,
        manual=found is None,
    )
    incident.assets.set(assets)
    incident.systems.set(systems)
    record_change(
        organization,
        actor=actor,
        action=IncidentAuditAction.FILE_INCIDENT,
        obj=incident,
        after=snapshot(incident),
    )
    if found is not None:
        _materialise(incident, pack, ("filing",), actor=actor)
    return incident


def snapshot(incident: Incident) -> dict[str, Any]:
    """What the audit trail keeps of an incident."""
    return {
        "number": incident.number,
        "kind": incident.kind,
        "title": incident.title,
        "flags": list(incident.flags),
        "severity": incident.severity,
        "state": incident.state,
        "manual": incident.manual,
        "pack": {"id": incident.pack_id, "digest": incident.pack_digest},
    }


def _materialise(incident: Incident, pack: Pack, stages: Sequence[str], *, actor: Actor) -> None:
    """Create the steps of `stages` that apply to the incident, then open the ready ones."""
    kind = chain.find_kind(pack, incident.kind)
    if kind is None:
        return
    start = incident.steps.count()
    systems = list(incident.systems.all())
    department_id = incident.reporter.department_id
    for offset, planned in enumerate(chain.plan(pack, kind, incident.flags, stages=stages), 1):
        step = planned.step
        senders = [{"id": r, "title": chain.role_or_party_title(pack, r)} for r in step.from_]
        for who in step.to:
            for recipient in chain.resolve(
                incident.organization, pack, who, department_id=department_id, systems=systems
            ):
                row = ReportStep.objects.create(
                    organization=incident.organization,
                    incident=incident,
                    order=start + offset,
                    chain=planned.chain.id,
                    position=planned.position,
                    stage=step.stage,
                    kind=step.kind,
                    senders=senders,
                    role=recipient.role.id if recipient.role else "",
                    party=recipient.party.id if recipient.party else "",
                    to_title=recipient.title,
                    system=recipient.system,
                    vacant=recipient.party is None and not recipient.people,
                    timing=step.timing,
                    condition=step.condition or "",
                    clause=step.clause,
                    quote=step.quote,
                    seed=step.source or pack.source,
                    decision_required=planned.decision_required,
                )
                row.recipients.set(recipient.people)
    open_ready_steps(incident, pack, actor=actor)


def open_ready_steps(incident: Incident, pack: Pack, *, actor: Actor) -> list[ReportStep]:
    """Open every waiting step whose senders have received their report (or wait on none)."""
    chains = {c.id: c for c in pack.reporting}
    rows = list(incident.steps.all())
    opened = []
    now = timezone.now()
    for row in rows:
        if row.state != StepState.WAITING or row.opened_at is not None:
            continue
        pack_chain = chains.get(row.chain)
        if pack_chain is None:
            continue
        step = pack_chain.steps[row.position]
        planned = chain.PlannedStep(
            order=row.order, chain=pack_chain, position=row.position, step=step
        )
        waits = chain.waits_for(planned, pack_chain)
        if waits:
            received = any(
                r.state == StepState.ACKNOWLEDGED and r.role in waits and r.chain == row.chain
                for r in rows
            )
            if not received:
                continue
        row.opened_at = now
        if row.decision_required and not row.decision:
            row.save(update_fields=["opened_at"])
        else:
            _send(row, now)
        opened.append(row)
        record_change(
            incident.organization,
            actor=actor,
            action=IncidentAuditAction.OPEN_REPORT_STEP,
            obj=row,
            after=step_snapshot(row),
        )
    return opened


def _send(row: ReportStep, now: datetime) -> None:
    row.state = StepState.SENT
    row.sent_at = now
    if row.role:
        row.means = Means.KITEI
        row.note = notifications.queue_step(row)
    row.save(update_fields=["state", "sent_at", "opened_at", "means", "note"])


def step_snapshot(row: ReportStep) -> dict[str, Any]:
    """What the audit trail keeps of a report step."""
    return {
        "incident": row.incident.number,
        "clause": row.clause,
        "to": row.to_title,
        "state": row.state,
        "vacant": row.vacant,
        "recipients": sorted(p.name for p in row.recipients.all()),
        "decision": row.decision,
        "means": row.means,
    }


def is_triage(actor: Actor, incident: Incident) -> bool:
    """Whether the actor evaluates and runs the response (the pack's CSIRT, or admins)."""
    return bool(access.check(actor, TRIAGE, incident))


def can_acknowledge(actor: Actor, row: ReportStep) -> bool:
    """A role step: one of its recipients; a party's: the reporter or the CSIRT, recording
    how the party was told."""
    if row.state != StepState.SENT:
        return False
    person = access.person_of(actor)
    if person is None or person.organization_id != row.organization_id:
        return False
    if row.party:
        return person.pk == row.incident.reporter_id or is_triage(actor, row.incident)
    return row.recipients.filter(pk=person.pk).exists()


@transaction.atomic
def acknowledge_step(row: ReportStep, *, actor: Actor, means: str = "") -> ReportStep:
    """Record receipt of a report; opens the steps that waited for it."""
    row = ReportStep.objects.select_for_update().get(pk=row.pk)
    if row.state != StepState.SENT:
        raise ValidationError(_("この報告は受領を記録できる状態ではありません。"))
    if not can_acknowledge(actor, row):
        raise PermissionDenied(_("この報告の受領者ではありません。"))
    if row.party and means not in Means.values:
        raise ValidationError(_("外部への連絡の手段を選んでください。"))
    person = access.person_of(actor)
    row.state = StepState.ACKNOWLEDGED
    row.acknowledged_at = timezone.now()
    row.acknowledged_by = person
    if row.party:
        row.means = means
    row.save(update_fields=["state", "acknowledged_at", "acknowledged_by", "means"])
    record_change(
        row.organization,
        actor=actor,
        action=IncidentAuditAction.ACKNOWLEDGE_REPORT,
        obj=row,
        before={"state": StepState.SENT.value},
        after=step_snapshot(row),
    )
    open_ready_steps(row.incident, pack_of(row.incident), actor=actor)
    return row


@transaction.atomic
def decide_step(row: ReportStep, *, actor: Actor, report: bool, reason: str) -> ReportStep:
    """The CSIRT decides a 「必要に応じて」 step: report or not, the reason in the timeline."""
    row = ReportStep.objects.select_for_update().get(pk=row.pk)
    access.require(actor, TRIAGE, row.incident)
    if not row.decision_required or row.decision or row.opened_at is None:
        raise ValidationError(_("この報告は判断を待っていません。"))
    if not reason.strip():
        raise ValidationError(_("判断の理由を入力してください。"))
    row.decision = "report" if report else "skip"
    row.decision_reason = reason.strip()
    now = timezone.now()
    if report:
        row.save(update_fields=["decision", "decision_reason"])
        _send(row, now)
    else:
        row.state = StepState.NOT_APPLICABLE
        row.save(update_fields=["decision", "decision_reason", "state"])
    record_change(
        row.organization,
        actor=actor,
        action=IncidentAuditAction.DECIDE_REPORT_STEP,
        obj=row,
        after={**step_snapshot(row), "reason": row.decision_reason},
    )
    verdict = _("報告する") if report else _("報告しない")
    _entry(
        row.incident,
        actor=actor,
        kind=EntryKind.DECISION,
        text=f"{row.clause} {row.to_title}: {verdict}（{row.decision_reason}）",
        event_at=now,
    )
    return row


def clause_for(incident: Incident, event: str) -> str:
    """The clause the pack gives for this transition, or 「パックに定めなし」."""
    triage = pack_of(incident).incident_triage
    key = EVENT_CLAUSE.get(IncidentEvent(event), "")
    value = getattr(triage, key, None) if triage is not None and key else None
    return str(value) if value else NO_CLAUSE


@transaction.atomic
def move_incident(
    incident: Incident,
    event: str,
    *,
    actor: Actor,
    reason: str = "",
    prevention: str = "",
    instruction: str = "",
) -> Incident:
    """Move the incident along the triage table; reasons and texts the seed requires."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    changes: dict[str, Any] = {}
    if event == IncidentEvent.DISMISS:
        if not reason.strip():
            raise ValidationError(_("非該当とする理由を入力してください。"))
        changes = {"state_reason": reason.strip(), "closed_at": timezone.now()}
    elif event == IncidentEvent.REOPEN:
        if not reason.strip():
            raise ValidationError(_("再開する理由を入力してください。"))
        changes = {"state_reason": reason.strip()}
    elif event == IncidentEvent.REPORT_PREVENTION:
        if not prevention.strip():
            raise ValidationError(_("再発防止策を入力してください。"))
        changes = {"prevention": prevention.strip()}
    elif event == IncidentEvent.CLOSE:
        if not instruction.strip():
            raise ValidationError(_("CISOの指示を入力してください。"))
        changes = {"instruction": instruction.strip(), "closed_at": timezone.now()}
    clause = clause_for(incident, event)
    details = {"clause": clause, **{k: v for k, v in changes.items() if k != "closed_at"}}
    workflow.move(
        incident, event, actor=actor, table=INCIDENT_WORKFLOW, changes=changes, details=details
    )
    label = IncidentState(incident.state).label
    text = f"{label}（{clause}）" + (f": {reason.strip()}" if reason.strip() else "")
    _entry(incident, actor=actor, kind=EntryKind.STATE_CHANGE, text=text, event_at=timezone.now())
    pack = pack_of(incident)
    if event == IncidentEvent.RESPOND and not incident.steps.filter(stage="incident").exists():
        _materialise(incident, pack, ("incident",), actor=actor)
    prevention_open = incident.steps.filter(stage="prevention").exists()
    if event == IncidentEvent.REPORT_PREVENTION and not prevention_open:
        _materialise(incident, pack, ("prevention",), actor=actor)
    return incident


def _entry(
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
    if not can_see(actor, incident) or access.person_of(actor) is None:
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
    return _entry(
        incident, actor=actor, kind=kind, text=text.strip(), event_at=event_at, corrects=corrects
    )


# --- need-to-know -----------------------------------------------------------------------------


def can_see(actor: Actor, incident: Incident) -> bool:
    """Everyone in the organisation, except for a restricted (personal-data) incident: only
    the reporter, the recipients of its steps, the CSIRT (triage) and the CISO."""
    if not access.check(actor, "incidents.view", incident):
        return False
    if not incident.restricted:
        return True
    person = access.person_of(actor)
    if person is None:
        return isinstance(actor, Operator)  # a server operator's command
    if person.pk == incident.reporter_id or is_triage(actor, incident):
        return True
    triage = pack_of(incident).incident_triage
    if triage is not None and triage.ciso and triage.ciso in access.roles_held_by(person):
        return True
    return incident.steps.filter(recipients=person).exists()


@transaction.atomic
def read_incident(incident: Incident, *, actor: Actor) -> Incident:
    """The incident for `actor`, or Http404-like PermissionDenied; restricted reads recorded."""
    if not can_see(actor, incident):
        raise Incident.DoesNotExist
    if incident.restricted:
        record_change(
            incident.organization,
            actor=actor,
            action=IncidentAuditAction.READ_INCIDENT,
            obj=incident,
            after={"number": incident.number},
        )
    return incident
