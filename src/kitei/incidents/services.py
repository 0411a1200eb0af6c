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
from kitei.core.models import Organization
from kitei.core.services import record_change
from kitei.incidents import books, chain, notifications, timeline, visibility
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
from kitei.incidents.models import Incident, ReportStep
from kitei.incidents.workflow import EVENT_CLAUSE, INCIDENT_WORKFLOW, NO_CLAUSE
from kitei.people.models import Person
from kitei.policy.model import Pack
from kitei.systems.models import System

KIND = "incidents"  # the numbering counter: R8-0001 per organisation and fiscal year
TRIAGE = "incidents.triage"


pack_of = chain.pack_of


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


def _materialise(
    incident: Incident,
    pack: Pack,
    stages: Sequence[str],
    *,
    actor: Actor,
    only: Sequence[chain.PlannedStep] | None = None,
) -> None:
    """Create the steps of `stages` that apply to the incident (or `only` these), then open
    the ready ones."""
    kind = chain.find_kind(pack, incident.kind)
    if kind is None:
        return
    start = incident.steps.count()
    systems = list(incident.systems.all())
    department_id = incident.reporter.department_id
    Through = ReportStep.recipients.through  # noqa: N806 - a model class
    links: list[Any] = []
    planned_steps = (
        only if only is not None else chain.plan(pack, kind, incident.flags, stages=stages)
    )
    for offset, planned in enumerate(planned_steps, 1):
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
                links.extend(
                    Through(reportstep_id=row.pk, person_id=p.pk) for p in recipient.people
                )
    Through.objects.bulk_create(links)  # one INSERT for every recipient of every new step
    open_ready_steps(incident, pack, actor=actor)


def open_ready_steps(incident: Incident, pack: Pack, *, actor: Actor) -> list[ReportStep]:
    """Open every waiting step whose senders have received their report (or wait on none)."""
    chains = {c.id: c for c in pack.reporting}
    rows = list(incident.steps.prefetch_related("recipients"))
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
            send_step(row, now)
        opened.append(row)
        record_change(
            incident.organization,
            actor=actor,
            action=IncidentAuditAction.OPEN_REPORT_STEP,
            obj=row,
            after=step_snapshot(row),
        )
    return opened


def send_step(row: ReportStep, now: datetime) -> None:
    """Mark an opened step sent and queue its e-mail (the note says who was reached)."""
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


def can_acknowledge(actor: Actor, row: ReportStep) -> bool:
    """A role step: one of its recipients; a party's: the reporter or the CSIRT, recording
    how the party was told; a step nobody holds: the CSIRT, recording how it routed it."""
    if row.state != StepState.SENT:
        return False
    person = access.person_of(actor)
    if person is None or person.organization_id != row.organization_id:
        return False
    if row.vacant:
        return visibility.is_triage(actor, row.incident)
    if row.party:
        return person.pk == row.incident.reporter_id or visibility.is_triage(actor, row.incident)
    return row.recipients.filter(pk=person.pk).exists()


@transaction.atomic
def acknowledge_step(row: ReportStep, *, actor: Actor, means: str = "") -> ReportStep:
    """Record receipt of a report; opens the steps that waited for it."""
    row = ReportStep.objects.select_for_update().get(pk=row.pk)
    if row.state != StepState.SENT:
        raise ValidationError(_("この報告は受領を記録できる状態ではありません。"))
    if not can_acknowledge(actor, row):
        raise PermissionDenied(_("この報告の受領者ではありません。"))
    by_hand = bool(row.party) or row.vacant
    if by_hand and means not in Means.values:
        raise ValidationError(_("外部への連絡の手段を選んでください。"))
    person = access.person_of(actor)
    row.state = StepState.ACKNOWLEDGED
    row.acknowledged_at = timezone.now()
    row.acknowledged_by = person
    if by_hand:
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
        send_step(row, now)
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
    timeline.write_entry(
        row.incident,
        actor=actor,
        kind=EntryKind.DECISION,
        text=f"{row.clause} {row.to_title}: {verdict}（{row.decision_reason}）",
        event_at=now,
    )
    return row


def cite_for(incident: Incident, event: str) -> tuple[str, str]:
    """(clause, quote) the pack gives for this transition, or (「パックに定めなし」, "")."""
    triage = pack_of(incident).incident_triage
    key = EVENT_CLAUSE.get(IncidentEvent(event), "")
    if triage is None or not key:
        return NO_CLAUSE, ""
    if key == "clause":
        return triage.clause, triage.quote
    stage = getattr(triage, key, None)
    return (stage.clause, stage.quote) if stage is not None else (NO_CLAUSE, "")


def clause_for(incident: Incident, event: str) -> str:
    """The clause the pack gives for this transition, or 「パックに定めなし」."""
    return cite_for(incident, event)[0]


@transaction.atomic
def move_incident(
    incident: Incident,
    event: str,
    *,
    actor: Actor,
    reason: str = "",
    prevention: str = "",
    instruction: str = "",
    cause: str = "",
) -> Incident:
    """Move the incident along the triage table; reasons and texts the seed requires."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    pack = pack_of(incident)
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
        books.check_cause(pack, cause)
        changes = {"prevention": prevention.strip()}
    elif event == IncidentEvent.CLOSE:
        if not instruction.strip():
            raise ValidationError(_("CISOの指示を入力してください。"))
        changes = {"instruction": instruction.strip(), "closed_at": timezone.now()}
    clause, quote = cite_for(incident, event)
    details = {
        "clause": clause,
        "quote": quote,
        **{k: v for k, v in changes.items() if k != "closed_at"},
    }
    workflow.move(
        incident, event, actor=actor, table=INCIDENT_WORKFLOW, changes=changes, details=details
    )
    label = IncidentState(incident.state).label
    text = f"{label}（{clause}）" + (f": {reason.strip()}" if reason.strip() else "")
    timeline.write_entry(
        incident, actor=actor, kind=EntryKind.STATE_CHANGE, text=text, event_at=timezone.now()
    )
    if event == IncidentEvent.REPORT_PREVENTION:
        entry = books.record_cause(incident, pack, actor=actor, cause=cause)
        if entry is not None:
            timeline.write_entry(
                incident,
                actor=actor,
                kind=EntryKind.EVIDENCE,
                text=_("原因究明の記録 %(n)s") % {"n": entry.number},
                event_at=timezone.now(),
            )
    if event == IncidentEvent.RESPOND and not incident.steps.filter(stage="incident").exists():
        _materialise(incident, pack, ("incident",), actor=actor)
    prevention_open = incident.steps.filter(stage="prevention").exists()
    if event == IncidentEvent.REPORT_PREVENTION and not prevention_open:
        _materialise(incident, pack, ("prevention",), actor=actor)
    return incident


@transaction.atomic
def judge_severity(incident: Incident, *, actor: Actor, severity: str, reason: str) -> Incident:
    """The CSIRT judges the severity (only a level the seed names), with its reason; steps
    that now apply (003 6(4)イ: 重大な事故 → 最高情報統括責任者) are added and opened."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    access.require(actor, TRIAGE, incident)
    pack = pack_of(incident)
    levels = {level.id for level in pack.severity_levels}
    if not levels:
        raise ValidationError(_("このパックには重大度の定めがありません。"))
    if severity and severity not in levels:
        raise ValidationError(_("重大度が正しくありません。"))
    if not reason.strip():
        raise ValidationError(_("判断の理由を入力してください。"))
    before = {"severity": incident.severity, "flags": list(incident.flags)}
    flags = [f for f in incident.flags if f not in levels] + ([severity] if severity else [])
    incident.severity, incident.severity_reason, incident.flags = severity, reason.strip(), flags
    incident.save(update_fields=["severity", "severity_reason", "flags"])
    record_change(
        incident.organization,
        actor=actor,
        action=IncidentAuditAction.JUDGE_SEVERITY,
        obj=incident,
        before=before,
        after={"severity": severity, "flags": flags, "reason": incident.severity_reason},
    )
    present = {(s.chain, s.position) for s in incident.steps.all()}
    kind = chain.find_kind(pack, incident.kind)
    missing = [
        p
        for p in (chain.plan(pack, kind, flags) if kind else [])
        if (p.chain.id, p.position) not in present
    ]
    if missing:
        _materialise(incident, pack, ("filing",), actor=actor, only=missing)
    return incident
