"""Findings to closure: raised on an audit, owned by the 管理者 of the audited 課, planned
with corrective actions, closed by the audit side only when every action is verified; or
risk accepted by the CISO, or withdrawn by the audit lead (each with a reason)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.audits.choices import ACTION_REQUIRED, AuditsAuditAction, FindingEvent, FindingKind
from kitei.audits.models import Audit, Finding
from kitei.audits.services import auditors_of, member_person, require_audit_side
from kitei.audits.workflow import FINDING_WORKFLOW
from kitei.core import access, numbering, workflow
from kitei.core.services import record_change
from kitei.corrective import queries as corrective_queries
from kitei.corrective import services as corrective
from kitei.corrective.choices import ActionState
from kitei.corrective.models import CorrectiveAction
from kitei.people.models import Department, Person

KIND = "findings"  # the numbering counter of findings


def owner_role_of(audit: Audit) -> str:
    """The pack role that owns findings (`finding_owner`, 002 10-1(6)ア), or "" if none."""
    pack = access.engine_for(audit.organization.pack_id, audit.pack_digest).pack
    return pack.finding_owner.role if pack.finding_owner is not None else ""


@transaction.atomic
def raise_finding(
    audit: Audit,
    *,
    actor: access.Actor,
    kind: str,
    title: str,
    department: Department,
    clause: str = "",
    quote: str = "",
    description: str = "",
    owner: Person | None = None,
    due: date | None = None,
) -> Finding:
    """A finding on one audited 課, its owner the 課's 情報セキュリティ管理者 (deputy if away)."""
    audit = Audit.objects.select_for_update().select_related("organization").get(pk=audit.pk)
    require_audit_side(audit, actor)
    if audit.sealed:
        raise ValidationError(_("発行済の監査には指摘事項を追加できません。"), code="sealed")
    if kind not in FindingKind.values:
        raise ValidationError(_("指摘の区分を選んでください。"), code="kind")
    if not title.strip():
        raise ValidationError(_("件名を入力してください。"), code="title")
    if not audit.departments.filter(pk=department.pk).exists():
        raise ValidationError(
            _("指摘事項の課は監査の対象の課から選んでください。"), code="department"
        )
    role = owner_role_of(audit)
    if owner is None:
        owner = corrective.holder_of(audit.organization, role, department) if role else None
    if owner is None:
        raise ValidationError(
            _("%(department)s に所管する者（情報セキュリティ管理者）が割り当てられていません。")
            % {"department": department.name},
            code="owner",
        )
    finding = Finding.objects.create(
        organization=audit.organization,
        audit=audit,
        number=numbering.next_number(audit.organization, KIND),
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        clause=clause.strip(),
        quote=quote.strip(),
        department=department,
        owner=owner,
        owner_role=role,
        due_on=due,
        raised_by_name=str(actor.get_username()),
    )
    record_change(
        audit.organization,
        actor=actor,
        action=AuditsAuditAction.RAISE_FINDING,
        obj=finding,
        after={
            "audit": audit.number,
            "number": finding.number,
            "kind": kind,
            "title": finding.title,
            "clause": finding.clause,
            "quote": finding.quote,
            "department": department.name,
            "owner": owner.name,
            "owner_role": role,
            "due_on": due.isoformat() if due else None,
            "pack_digest": audit.pack_digest,
        },
    )
    return finding


def actions_of(finding: Finding) -> QuerySet[CorrectiveAction]:
    """The corrective actions the finding's improvement plan raised."""
    return corrective_queries.for_source(
        finding.organization, ContentType.objects.get_for_model(Finding).pk, finding.pk
    )


@transaction.atomic
def submit_plan(
    finding: Finding,
    *,
    actor: access.Actor,
    root_cause: str,
    plan: str,
    actions: Sequence[tuple[str, date | None]],
) -> list[CorrectiveAction]:
    """The owner's 改善計画: root cause, plan and one corrective action per (title, due).

    The actions are owned by the finding's owner and verified by the audit's auditors.
    """
    finding = (
        Finding.objects.select_for_update()
        .select_related("organization", "audit")
        .get(pk=finding.pk)
    )
    person = member_person(actor, finding.organization)
    if person.pk != finding.owner_id:
        raise access.Refusal(
            access.Verdict(
                allowed=False,
                permission="corrective.view",
                reasons=(
                    access.Reason(text=_("指摘事項を所管する者だけが改善計画を提出できます")),
                ),
            )
        )
    FINDING_WORKFLOW.transition_for(finding, FindingEvent.SUBMIT_PLAN)
    if not plan.strip():
        raise ValidationError(_("改善計画を入力してください。"), code="plan")
    if not actions:
        raise ValidationError(_("是正措置を1つ以上入力してください。"), code="actions")
    verifiers = [p for p in auditors_of(finding.audit) if p.pk != finding.owner_id]
    raised = [
        corrective.raise_action(
            finding.organization,
            finding,
            title,
            finding.owner,
            due,
            actor=actor,
            plan=plan.strip(),
            owner_role=finding.owner_role,
            department=finding.department,
            clause=finding.clause,
            quote=finding.quote,
            verifiers=verifiers,
        )
        for title, due in actions
    ]
    workflow.move(
        finding,
        FindingEvent.SUBMIT_PLAN,
        actor=actor,
        table=FINDING_WORKFLOW,
        changes={"root_cause": root_cause.strip(), "plan": plan.strip()},
        details={
            "root_cause": root_cause.strip(),
            "plan": plan.strip(),
            "actions": [a.number for a in raised],
        },
    )
    return raised


@transaction.atomic
def close_finding(finding: Finding, *, actor: access.Actor, note: str = "") -> None:
    """Close (audit side, never the owner): every corrective action must be verified, and a
    指摘事項 (major/minor) must have at least one."""
    finding = (
        Finding.objects.select_for_update()
        .select_related("organization", "audit")
        .get(pk=finding.pk)
    )
    FINDING_WORKFLOW.transition_for(finding, FindingEvent.CLOSE)
    person = require_audit_side(finding.audit, actor)
    if person is not None and person.pk == finding.owner_id:
        raise access.Refusal(
            access.Verdict(
                allowed=False,
                permission="audits.manage",
                reasons=(
                    access.Reason(
                        text=_("所管する者は自分の指摘事項をクローズできません（職務の分離）")
                    ),
                ),
            )
        )
    actions = list(actions_of(finding))
    if finding.kind in ACTION_REQUIRED and not actions:
        raise ValidationError(
            _("指摘事項は改善計画の是正措置が確認されるまでクローズできません。"), code="actions"
        )
    open_ones = [a.number for a in actions if a.state != ActionState.VERIFIED]
    if open_ones:
        raise ValidationError(
            _("確認済でない是正措置があります（%(numbers)s）。")
            % {"numbers": "、".join(open_ones)},
            code="actions",
        )
    workflow.move(
        finding,
        FindingEvent.CLOSE,
        actor=actor,
        table=FINDING_WORKFLOW,
        changes={"closed_at": timezone.now(), "resolution": note.strip()},
        details={"note": note.strip(), "actions": [a.number for a in actions]},
    )


@transaction.atomic
def accept_risk(finding: Finding, *, actor: access.Actor, reason: str) -> None:
    """The CISO (audits.receive_report) accepts the risk, with the reason recorded."""
    _resolve(finding, FindingEvent.ACCEPT_RISK, actor=actor, reason=reason)


@transaction.atomic
def withdraw(finding: Finding, *, actor: access.Actor, reason: str) -> None:
    """The audit lead (audits.manage) withdraws the finding, with the reason recorded."""
    _resolve(finding, FindingEvent.WITHDRAW, actor=actor, reason=reason)


def _resolve(finding: Finding, event: str, *, actor: access.Actor, reason: str) -> None:
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    FINDING_WORKFLOW.transition_for(finding, event)
    if not reason.strip():
        raise ValidationError(_("理由を入力してください。"), code="reason")
    workflow.move(
        finding,
        event,
        actor=actor,
        table=FINDING_WORKFLOW,
        changes={"closed_at": timezone.now(), "resolution": reason.strip()},
        details={"reason": reason.strip()},
    )
