"""The service API of corrective actions, called by incidents, inspections and audits.

`raise_action` opens one (owner given, or resolved from a pack role and 課), `record_progress`
appends a progress report, `attach_completion_evidence` keeps a file as proof, `report_done`
reports completion (evidence required), `verify` confirms it or returns it — never by the
owner. Every change is one transaction with its ChangeRecord.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core import access, evidence, numbering, workflow
from kitei.core.models import EvidenceFile, Organization
from kitei.core.services import record_change
from kitei.corrective.choices import ActionEvent, ActionState, CorrectiveAuditAction
from kitei.corrective.models import CorrectiveAction, ProgressEntry
from kitei.corrective.workflow import CORRECTIVE_WORKFLOW
from kitei.people.models import Department, Person, RoleAssignment
from kitei.people.queries import valid_on

KIND = "corrective"  # the numbering counter of corrective actions


def holder_of(
    organization: Organization, role_id: str, department: Department | None, on: date | None = None
) -> Person | None:
    """Who acts in `role_id` for `department` today: the deputy (代行) in period, else the holder.

    A deputy assignment valid today means the holder is away (002 7-2(1)ウ(ウ) and the like);
    among several holders the earliest assignment wins.
    """
    today = on or timezone.localdate()
    rows = (
        RoleAssignment.objects.filter(organization=organization, role_id=role_id)
        .filter(valid_on(today))
        .select_related("person")
        .order_by("pk")
    )
    if department is not None:
        rows = rows.filter(department=department)
    assignments = list(rows)
    deputies = [a for a in assignments if a.deputy_for_id is not None]
    if deputies:
        return deputies[0].person
    return assignments[0].person if assignments else None


def _person(actor: access.Actor, organization: Organization) -> Person:
    person = access.person_of(actor)
    if not isinstance(person, Person) or person.organization_id != organization.pk:
        raise ValidationError(_("この操作は組織の職員として行ってください。"), code="person")
    return person


def _snapshot(action: CorrectiveAction) -> dict[str, Any]:
    return {
        "number": action.number,
        "title": action.title,
        "plan": action.plan,
        "source": action.source_label,
        "clause": action.clause,
        "quote": action.quote,
        "pack_digest": action.pack_digest,
        "owner_role": action.owner_role,
        "owner": action.owner.name,
        "department": action.department.name if action.department else "",
        "due_on": action.due_on.isoformat() if action.due_on else None,
    }


@transaction.atomic
def raise_action(
    organization: Organization,
    source: models.Model | None,
    title: str,
    owner: Person | None,
    due: date | None,
    *,
    actor: access.Actor,
    plan: str = "",
    owner_role: str = "",
    department: Department | None = None,
    clause: str = "",
    quote: str = "",
    verifiers: Iterable[Person] = (),
) -> CorrectiveAction:
    """Open a corrective action for `source`; the owner is given or resolved from the role.

    With no `owner`, the current holder of `owner_role` for `department` (the deputy if the
    holder is away) becomes the owner; when nobody holds it, nothing is written.
    """
    access.require(actor, "corrective.view", organization)
    title = title.strip()
    if not title:
        raise ValidationError(_("件名を入力してください。"), code="title")
    if source is not None and getattr(source, "organization_id", None) != organization.pk:
        raise ValidationError(_("別の組織の記録から起票することはできません。"), code="source")
    if owner is None:
        if not owner_role:
            raise ValidationError(_("担当者または担当の役割を指定してください。"), code="owner")
        owner = holder_of(organization, owner_role, department)
        if owner is None:
            raise ValidationError(
                _("役割「%(role)s」を割り当てられた者がいないため、担当者を決められません。")
                % {"role": owner_role},
                code="owner",
            )
    if owner.organization_id != organization.pk:
        raise ValidationError(_("担当者はこの組織の職員でなければなりません。"), code="owner")
    verifiers = list(verifiers)
    if owner in verifiers:
        raise ValidationError(_("担当者を確認者にすることはできません。"), code="verifier")
    action = CorrectiveAction(
        organization=organization,
        number=numbering.next_number(organization, KIND),
        source_type=ContentType.objects.get_for_model(source) if source is not None else None,
        source_id=source.pk if source is not None else None,
        source_label=str(source)[:200] if source is not None else "",
        title=title[:200],
        plan=plan.strip(),
        clause=clause,
        quote=quote,
        pack_digest=organization.pack_digest,
        owner_role=owner_role,
        owner=owner,
        department=department if department is not None else owner.department,
        due_on=due,
        raised_by_name=_actor_name(actor),
    )
    action.save()
    action.verifiers.set(verifiers)
    after = _snapshot(action)
    if source is not None:
        after["source_ref"] = {"type": source._meta.label_lower, "id": str(source.pk)}
    after["verifiers"] = [p.name for p in verifiers]
    record_change(
        organization,
        actor=actor,
        action=CorrectiveAuditAction.RAISE_ACTION,
        obj=action,
        after=after,
    )
    return action


def _actor_name(actor: access.Actor) -> str:
    return str(actor.get_username())


def _locked(action: CorrectiveAction) -> CorrectiveAction:
    return (
        CorrectiveAction.objects.select_for_update()
        .select_related("organization", "owner")
        .get(pk=action.pk)
    )


def _require_owner(action: CorrectiveAction, actor: access.Actor) -> Person:
    person = _person(actor, action.organization)
    if person.pk != action.owner_id:
        raise access.Refusal(
            access.Verdict(
                allowed=False,
                permission="corrective.view",
                reasons=(access.Reason(text=_("是正措置の担当者だけが行えます（kitei の規則）")),),
            )
        )
    return person


@transaction.atomic
def record_progress(action: CorrectiveAction, *, actor: access.Actor, note: str) -> ProgressEntry:
    """Append a progress report (owner only); a raised action moves to 対応中 with it."""
    action = _locked(action)
    person = _require_owner(action, actor)
    note = note.strip()
    if not note:
        raise ValidationError(_("進捗の内容を入力してください。"), code="note")
    if action.state in (ActionState.REPORTED, ActionState.VERIFIED):
        raise ValidationError(
            _("「%(state)s」の是正措置には進捗を記録できません。")
            % {"state": action.get_state_display()},
            code="state",
        )
    if action.state in (ActionState.RAISED, ActionState.RETURNED):
        workflow.move(action, ActionEvent.START, actor=actor, table=CORRECTIVE_WORKFLOW)
    entry = ProgressEntry.objects.create(
        organization=action.organization, action=action, note=note, recorded_by=person
    )
    record_change(
        action.organization,
        actor=actor,
        action=CorrectiveAuditAction.RECORD_PROGRESS,
        obj=entry,
        after={"action": action.number, "note": note, "recorded_by": person.name},
    )
    return entry


@transaction.atomic
def attach_completion_evidence(
    action: CorrectiveAction,
    *,
    actor: access.User,
    upload: File[Any],
    evidence_date: date,
    description: str = "",
) -> EvidenceFile:
    """Keep a file as proof of the work (owner only, before verification)."""
    action = _locked(action)
    _require_owner(action, actor)
    if action.state == ActionState.VERIFIED:
        raise ValidationError(_("確認済の是正措置には添付できません。"), code="state")
    return evidence.attach_evidence(
        action.organization,
        actor=actor,
        obj=action,
        upload=upload,
        evidence_date=evidence_date,
        description=description,
    )


def completion_evidence(action: CorrectiveAction) -> list[EvidenceFile]:
    """The files kept as proof of the action, oldest first."""
    return evidence.evidence_for(action.organization, [action]).get(action.pk, [])


@transaction.atomic
def report_done(action: CorrectiveAction, *, actor: access.Actor, note: str = "") -> None:
    """The owner reports completion; refused without completion evidence."""
    action = _locked(action)
    _require_owner(action, actor)
    CORRECTIVE_WORKFLOW.transition_for(action, ActionEvent.REPORT_DONE)  # state first
    files = completion_evidence(action)
    if not files:
        raise ValidationError(
            _("完了の証拠ファイルを添付してから完了を報告してください。"), code="evidence"
        )
    workflow.move(
        action,
        ActionEvent.REPORT_DONE,
        actor=actor,
        table=CORRECTIVE_WORKFLOW,
        changes={"reported_at": timezone.now()},
        details={"note": note.strip(), "evidence": [f.sha256 for f in files]},
    )


def may_verify(action: CorrectiveAction, actor: access.Actor) -> access.Verdict:
    """Whether `actor` may confirm or return the action: never its owner (separation of
    duties); a designated verifier (e.g. the audit's auditors) or a holder of
    corrective.verify otherwise."""
    person = access.person_of(actor)
    if isinstance(person, Person) and person.pk == action.owner_id:
        return access.Verdict(
            allowed=False,
            permission="corrective.verify",
            reasons=(
                access.Reason(text=_("担当者は自分の是正措置を確認できません（職務の分離）")),
            ),
        )
    if isinstance(person, Person) and action.verifiers.filter(pk=person.pk).exists():
        return access.Verdict(
            allowed=True,
            permission="corrective.verify",
            reasons=(access.Reason(text=_("この是正措置の確認者に指定されています")),),
        )
    return access.check(actor, "corrective.verify", action)


@transaction.atomic
def verify(
    action: CorrectiveAction,
    *,
    actor: access.Actor,
    effectiveness: str = "",
    accept: bool = True,
    reason: str = "",
) -> None:
    """Confirm the reported work (確認済, with the effectiveness note) or return it (差戻し)."""
    action = _locked(action)
    verdict = may_verify(action, actor)
    if not verdict.allowed:
        raise access.Refusal(verdict)
    event = ActionEvent.VERIFY if accept else ActionEvent.RETURN
    CORRECTIVE_WORKFLOW.transition_for(action, event)
    if not accept and not reason.strip():
        raise ValidationError(_("差し戻す理由を入力してください。"), code="reason")
    person = access.person_of(actor)
    changes: dict[str, Any] = {}
    if accept:
        changes = {
            "verified_by": person if isinstance(person, Person) else None,
            "verified_at": timezone.now(),
            "effectiveness": effectiveness.strip(),
        }
    workflow.move(
        action,
        event,
        actor=actor,
        table=CORRECTIVE_WORKFLOW,
        changes=changes,
        details={"effectiveness": effectiveness.strip(), "reason": reason.strip()},
    )
