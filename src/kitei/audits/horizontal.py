"""Horizontal deployment (横展開, 002 10-1(6)イ): the CISO asks other 課 whether the same
problem exists there; each 課's 情報セキュリティ管理者 answers 有 / 無 with what they checked;
有 becomes a finding for that 課, linked to the one it came from."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.audits.choices import AuditsAuditAction, FindingState, HorizontalAnswer
from kitei.audits.findings import KIND, owner_role_of
from kitei.audits.models import Finding, HorizontalCheck
from kitei.core import access, numbering
from kitei.core.services import record_change
from kitei.corrective.services import holder_of
from kitei.people.models import Department, Person

CLAUSE = "10-1(6)イ"


@transaction.atomic
def deploy(
    finding: Finding, departments: Sequence[Department], *, actor: access.Actor
) -> list[HorizontalCheck]:
    """Ask each of `departments` (not the finding's own) to check; one request each."""
    finding = (
        Finding.objects.select_for_update()
        .select_related("organization", "audit")
        .get(pk=finding.pk)
    )
    access.require(actor, "audits.receive_report", finding)
    if not departments:
        raise ValidationError(_("横展開する課を選んでください。"), code="departments")
    role = owner_role_of(finding.audit)
    checks = []
    for department in departments:
        if department.organization_id != finding.organization_id:
            raise ValidationError(_("別の組織の課は選べません。"), code="departments")
        if department.pk == finding.department_id:
            raise ValidationError(
                _("指摘事項の課そのものは横展開の対象にできません。"), code="departments"
            )
        if finding.horizontal.filter(department=department).exists():
            raise ValidationError(
                _("%(department)s にはすでに確認を指示しています。")
                % {"department": department.name},
                code="departments",
            )
        owner = holder_of(finding.organization, role, department) if role else None
        if owner is None:
            raise ValidationError(
                _("%(department)s に所管する者（情報セキュリティ管理者）が割り当てられていません。")
                % {"department": department.name},
                code="owner",
            )
        check = HorizontalCheck.objects.create(
            organization=finding.organization,
            finding=finding,
            department=department,
            owner=owner,
            asked_by_name=str(actor.get_username()),
        )
        record_change(
            finding.organization,
            actor=actor,
            action=AuditsAuditAction.DEPLOY_HORIZONTALLY,
            obj=check,
            after={
                "finding": finding.number,
                "department": department.name,
                "owner": owner.name,
                "clause": CLAUSE,
            },
        )
        checks.append(check)
    return checks


@transaction.atomic
def answer(
    check: HorizontalCheck, *, actor: access.Actor, found: bool, note: str
) -> Finding | None:
    """The 課's 管理者 answers 有 (a linked finding is raised for the 課) or 無."""
    check = (
        HorizontalCheck.objects.select_for_update()
        .select_related("organization", "finding", "finding__audit", "department", "owner")
        .get(pk=check.pk)
    )
    person = access.person_of(actor)
    if not isinstance(person, Person) or person.pk != check.owner_id:
        raise access.Refusal(
            access.Verdict(
                allowed=False,
                permission="audits.view",
                reasons=(access.Reason(text=_("確認を指示された管理者だけが回答できます")),),
            )
        )
    if check.answer != HorizontalAnswer.ASKED:
        raise ValidationError(_("この確認にはすでに回答しています。"), code="answer")
    if not note.strip():
        raise ValidationError(_("確認した内容を入力してください。"), code="note")
    origin = check.finding
    linked = None
    if found:
        linked = Finding.objects.create(
            organization=check.organization,
            audit=origin.audit,
            number=numbering.next_number(check.organization, KIND),
            kind=origin.kind,
            title=origin.title,
            description=note.strip(),
            clause=origin.clause,
            quote=origin.quote,
            department=check.department,
            owner=check.owner,
            owner_role=origin.owner_role,
            state=FindingState.OPEN,
            raised_by_name=str(actor.get_username()),
            origin=origin,
        )
    HorizontalCheck.objects.filter(pk=check.pk).update(
        answer=HorizontalAnswer.FOUND if found else HorizontalAnswer.NOT_FOUND,
        note=note.strip(),
        answered_at=timezone.now(),
        linked=linked,
    )
    record_change(
        check.organization,
        actor=actor,
        action=AuditsAuditAction.ANSWER_HORIZONTAL,
        obj=check,
        after={
            "finding": origin.number,
            "department": check.department.name,
            "answer": "found" if found else "not_found",
            "note": note.strip(),
            "linked": linked.number if linked else None,
            "clause": CLAUSE,
        },
    )
    return linked
