"""Audit programmes and audits: plan, appoint auditors (independence on the server), record
working papers and evidence, issue the report and seal, the CISO's receipt.

Every change is one transaction with its ChangeRecord. After the report is issued the audit
is sealed: evidence and working papers are refused, later material is an addendum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kitei.audits import independence, seal
from kitei.audits.choices import AuditEvent, AuditKind, AuditMethod, AuditsAuditAction
from kitei.audits.models import Appointment, Audit, AuditProgramme, WorkingPaper
from kitei.audits.workflow import AUDIT_WORKFLOW
from kitei.core import access, evidence, numbering, workflow
from kitei.core.models import EvidenceFile, Organization
from kitei.core.services import record_change
from kitei.people.models import Department, Person
from kitei.systems.models import System

KIND = "audits"  # the numbering counter of audits


def _name(actor: access.Actor) -> str:
    return str(actor.get_username())


def member_person(actor: access.Actor, organization: Organization) -> Person:
    person = access.person_of(actor)
    if not isinstance(person, Person) or person.organization_id != organization.pk:
        raise ValidationError(_("この操作は組織の職員として行ってください。"), code="person")
    return person


@transaction.atomic
def create_programme(
    organization: Organization, *, actor: access.Actor, fiscal_year: int, note: str = ""
) -> AuditProgramme:
    """The audit programme of one fiscal year (one per year)."""
    access.require(actor, "audits.manage", organization)
    if AuditProgramme.objects.filter(organization=organization, fiscal_year=fiscal_year).exists():
        raise ValidationError(_("この年度の監査計画はすでにあります。"), code="fiscal_year")
    programme = AuditProgramme.objects.create(
        organization=organization,
        fiscal_year=fiscal_year,
        note=note.strip(),
        created_by_name=_name(actor),
    )
    record_change(
        organization,
        actor=actor,
        action=AuditsAuditAction.CREATE_PROGRAMME,
        obj=programme,
        after={"fiscal_year": fiscal_year, "note": programme.note},
    )
    return programme


def _check_scope(
    organization: Organization, departments: Sequence[Department], systems: Sequence[System]
) -> None:
    owners = {d.organization_id for d in departments} | {s.organization_id for s in systems}
    if owners - {organization.pk}:
        raise ValidationError(_("別の組織の課や情報システムは対象にできません。"), code="scope")


def _clean_criteria(criteria: Iterable[dict[str, str]]) -> list[dict[str, str]]:
    cleaned = []
    for item in criteria:
        kept = {
            k: str(v).strip() for k, v in item.items() if k in ("clause", "quote", "id", "text")
        }
        if not (kept.get("clause") or kept.get("text")):
            raise ValidationError(_("監査基準の各項目には条項か内容が必要です。"), code="criteria")
        cleaned.append(kept)
    return cleaned


@transaction.atomic
def plan_audit(
    programme: AuditProgramme,
    *,
    actor: access.Actor,
    title: str,
    kind: str,
    departments: Sequence[Department] = (),
    systems: Sequence[System] = (),
    contracts: Sequence[str] = (),
    auditees: Sequence[Person] = (),
    criteria: Iterable[dict[str, str]] = (),
    methods: Sequence[str] = (),
    starts_on: date | None = None,
    ends_on: date | None = None,
    copied_from: Audit | None = None,
) -> Audit:
    """An audit of the programme; it cites the organisation's pack version (digest)."""
    organization = programme.organization
    access.require(actor, "audits.manage", organization)
    title = title.strip()
    if not title:
        raise ValidationError(_("監査名を入力してください。"), code="title")
    if kind not in AuditKind.values:
        raise ValidationError(_("監査の種類を選んでください。"), code="kind")
    if any(m not in AuditMethod.values for m in methods):
        raise ValidationError(_("監査の方法が正しくありません。"), code="methods")
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError(_("終了予定日は開始予定日以降にしてください。"), code="ends_on")
    contracts = [c.strip() for c in contracts if c.strip()]
    if not (departments or systems or contracts):
        raise ValidationError(
            _("対象（課、情報システム、契約）を1つ以上指定してください。"), code="scope"
        )
    _check_scope(organization, departments, systems)
    audit = Audit.objects.create(
        organization=organization,
        programme=programme,
        number=numbering.next_number(organization, KIND),
        title=title,
        kind=kind,
        contracts=contracts,
        pack_digest=organization.pack_digest,
        criteria=_clean_criteria(criteria),
        methods=list(methods),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by_name=_name(actor),
    )
    audit.departments.set(departments)
    audit.systems.set(systems)
    audit.auditees.set([p for p in auditees if p.organization_id == organization.pk])
    record_change(
        organization,
        actor=actor,
        action=AuditsAuditAction.PLAN_AUDIT,
        obj=audit,
        after={
            "number": audit.number,
            "title": title,
            "kind": kind,
            "departments": [d.name for d in departments],
            "systems": [s.name for s in systems],
            "contracts": contracts,
            "auditees": [p.name for p in auditees],
            "criteria": audit.criteria,
            "methods": audit.methods,
            "pack_digest": audit.pack_digest,
            "starts_on": starts_on.isoformat() if starts_on else None,
            "ends_on": ends_on.isoformat() if ends_on else None,
            "copied_from": copied_from.number if copied_from else None,
        },
    )
    return audit


def _shifted(day: date | None, years: int) -> date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def copy_audit(audit: Audit, programme: AuditProgramme, *, actor: access.Actor) -> Audit:
    """Last year's audit again in `programme`: scope, auditees, criteria and methods carried
    over, dates moved by the years between, and every status reset — a new audit in 計画,
    under today's pack version, with no auditors (independence is checked anew), papers,
    evidence or findings."""
    if programme.organization_id != audit.organization_id:
        raise ValidationError(_("別の組織の監査は複写できません。"), code="organization")
    years = programme.fiscal_year - audit.programme.fiscal_year
    return plan_audit(
        programme,
        actor=actor,
        title=audit.title,
        kind=audit.kind,
        departments=list(audit.departments.all()),
        systems=list(audit.systems.all()),
        contracts=list(audit.contracts),
        auditees=list(audit.auditees.all()),
        criteria=list(audit.criteria),
        methods=list(audit.methods),
        starts_on=_shifted(audit.starts_on, years),
        ends_on=_shifted(audit.ends_on, years),
        copied_from=audit,
    )


class NotIndependentError(ValidationError):
    """The candidate fails a pack independence constraint (the verdict says which)."""

    def __init__(self, verdict: independence.Independence) -> None:
        super().__init__(verdict.message(), code="independence")
        self.verdict = verdict


def _refuse_if_sealed(audit: Audit) -> None:
    if audit.sealed:
        raise ValidationError(
            _("監査報告書の発行により封印されています。追加の資料は追補として記録してください。"),
            code="sealed",
        )


def appoint_auditor(
    audit: Audit,
    person: Person,
    *,
    actor: access.Actor,
    is_lead: bool = False,
    reason: str = "",
    competence: str = "",
) -> Appointment:
    """Appoint an auditor after the independence check; a refusal is itself recorded."""
    verdict = independence.evaluate(audit, person, reason=reason)
    if not verdict.allowed:
        access.require(actor, "audits.manage", audit)
        with transaction.atomic():
            record_change(
                audit.organization,
                actor=actor,
                action=AuditsAuditAction.REFUSED_APPOINTMENT,
                obj=audit,
                after={"person": person.name, "independence": verdict.to_json()},
            )
        raise NotIndependentError(verdict)
    return _appoint(
        audit, person, verdict, actor=actor, is_lead=is_lead, reason=reason, competence=competence
    )


@transaction.atomic
def _appoint(
    audit: Audit,
    person: Person,
    verdict: independence.Independence,
    *,
    actor: access.Actor,
    is_lead: bool,
    reason: str,
    competence: str,
) -> Appointment:
    access.require(actor, "audits.manage", audit)
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    _refuse_if_sealed(audit)
    if person.organization_id != audit.organization_id:
        raise ValidationError(_("監査人はこの組織の職員でなければなりません。"), code="person")
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                organization=audit.organization,
                audit=audit,
                person=person,
                is_lead=is_lead,
                verdict=verdict.to_json(),
                override_reason=reason.strip(),
                competence=competence.strip(),
                appointed_by_name=_name(actor),
            )
    except IntegrityError:
        raise ValidationError(_("この監査人はすでに指名されています。"), code="person") from None
    record_change(
        audit.organization,
        actor=actor,
        action=AuditsAuditAction.APPOINT_AUDITOR,
        obj=appointment,
        after={
            "audit": audit.number,
            "person": person.name,
            "is_lead": is_lead,
            "override_reason": appointment.override_reason,
            "competence": appointment.competence,
            "independence": verdict.to_json(),
        },
    )
    return appointment


def auditors_of(audit: Audit) -> list[Person]:
    """The appointed auditors of an audit."""
    return [a.person for a in audit.appointments.select_related("person")]


def start_audit(audit: Audit, *, actor: access.Actor) -> None:
    """Planned → fieldwork (audits.manage)."""
    workflow.move(audit, AuditEvent.START, actor=actor, table=AUDIT_WORKFLOW)


def require_audit_side(audit: Audit, actor: access.Actor) -> Person | None:
    """An appointed auditor, or a holder of audits.manage (a server operator too); their
    Person in the audit's organisation, None for an operator."""
    found = access.person_of(actor)
    person: Person | None = found if isinstance(found, Person) else None
    if person is not None and person.organization_id != audit.organization_id:
        person = None
    if person is not None and audit.appointments.filter(person=person).exists():
        return person
    access.require(actor, "audits.manage", audit)
    return person


@transaction.atomic
def record_working_paper(
    audit: Audit, *, actor: access.Actor, item: str, text: str, corrects: WorkingPaper | None = None
) -> WorkingPaper:
    """A 監査調書 entry (audit side); refused once sealed — see `record_addendum`."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    person = member_person(actor, audit.organization)
    require_audit_side(audit, actor)
    _refuse_if_sealed(audit)
    return _paper(
        audit, person, actor=actor, item=item, text=text, corrects=corrects, addendum=False
    )


@transaction.atomic
def record_addendum(audit: Audit, *, actor: access.Actor, item: str, text: str) -> WorkingPaper:
    """Material after the seal: an addendum, outside the sealed manifest."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    person = member_person(actor, audit.organization)
    require_audit_side(audit, actor)
    if not audit.sealed:
        raise ValidationError(_("追補は監査報告書の発行後に記録します。"), code="addendum")
    return _paper(audit, person, actor=actor, item=item, text=text, corrects=None, addendum=True)


def _paper(
    audit: Audit,
    person: Person,
    *,
    actor: access.Actor,
    item: str,
    text: str,
    corrects: WorkingPaper | None,
    addendum: bool,
) -> WorkingPaper:
    text = text.strip()
    if not text:
        raise ValidationError(_("監査調書の内容を入力してください。"), code="text")
    if corrects is not None and corrects.audit_id != audit.pk:
        raise ValidationError(
            _("訂正する調書はこの監査のものでなければなりません。"), code="corrects"
        )
    paper = WorkingPaper.objects.create(
        organization=audit.organization,
        audit=audit,
        item=item.strip()[:200],
        text=text,
        addendum=addendum,
        corrects=corrects,
        recorded_by=person,
    )
    record_change(
        audit.organization,
        actor=actor,
        action=AuditsAuditAction.RECORD_ADDENDUM
        if addendum
        else AuditsAuditAction.RECORD_WORKING_PAPER,
        obj=paper,
        after={
            "audit": audit.number,
            "item": paper.item,
            "sha256": seal.sha256_text(seal.paper_text(paper)),
            "corrects": corrects.pk if corrects else None,
        },
    )
    return paper


@transaction.atomic
def attach_audit_evidence(
    audit: Audit,
    *,
    actor: access.User,
    upload: File[Any],
    evidence_date: date,
    description: str = "",
) -> EvidenceFile:
    """Audit evidence (10-1(5)), hashed into the chain; refused once the audit is sealed."""
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    require_audit_side(audit, actor)
    _refuse_if_sealed(audit)
    return evidence.attach_evidence(
        audit.organization,
        actor=actor,
        obj=audit,
        upload=upload,
        evidence_date=evidence_date,
        description=description,
    )


@transaction.atomic
def issue_report(audit: Audit, *, actor: access.Actor, report: str) -> None:
    """Issue the report to the CISO and seal: the manifest's SHA-256 enters the audit chain."""
    audit = (
        Audit.objects.select_for_update()
        .select_related("organization", "programme")
        .get(pk=audit.pk)
    )
    AUDIT_WORKFLOW.transition_for(audit, AuditEvent.ISSUE)
    access.require(actor, "audits.manage", audit)
    report = report.strip()
    if not report:
        raise ValidationError(_("監査報告書の本文を入力してください。"), code="report")
    try:
        built = seal.build_manifest(audit, report)  # re-hashes every evidence file
    except evidence.EvidenceUnavailableError as exc:
        raise ValidationError(
            _("証拠ファイル「%(name)s」が失われたか改変されているため、封印できません。")
            % {"name": exc.evidence.original_name},
            code="evidence",
        ) from exc
    record = workflow.move(
        audit,
        AuditEvent.ISSUE,
        actor=actor,
        table=AUDIT_WORKFLOW,
        changes={
            "report_text": report,
            "report_sha256": built.report_sha256,
            "manifest": built.text,
            "manifest_sha256": built.sha256,
            "sealed_at": built.sealed_at,
        },
        details={
            "manifest_sha256": built.sha256,
            "report_sha256": built.report_sha256,
            "files": [{"path": f["path"], "sha256": f["sha256"]} for f in built.files],
        },
    )
    Audit.objects.filter(pk=audit.pk).update(seal_seq=record.seq)
    audit.seal_seq = record.seq


def receive_report(audit: Audit, *, actor: access.Actor) -> None:
    """The CISO (audits.receive_report) records receipt of the issued report."""
    workflow.move(audit, AuditEvent.RECEIVE, actor=actor, table=AUDIT_WORKFLOW)
