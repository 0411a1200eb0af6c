"""The horizontal check of 002 6-3(2)ウ: the CSIRT asks the 情報システム管理者 of the systems it
chooses whether the same incident happens there (「必要に応じて当該情報システムを所管する
情報システム管理者へ確認を指示」).

The pack step is a `decision: required` instruction to a system-scoped role; deciding it
with chosen systems sends one report step to the managers of each system (from the 情報
システム台帳 and the role's assignments), each citing the same clause and quote.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.access import Actor
from kitei.core.services import record_change
from kitei.incidents import chain, services
from kitei.incidents.choices import IncidentAuditAction, StepState
from kitei.incidents.models import ReportStep
from kitei.systems.models import System


def is_horizontal(row: ReportStep) -> bool:
    """Whether the step is a decision to instruct a system-scoped role (6-3(2)ウ)."""
    if not row.decision_required or not row.role:
        return False
    role = next((r for r in services.pack_of(row.incident).roles if r.id == row.role), None)
    return role is not None and role.scope == "system"


@transaction.atomic
def request_horizontal_check(
    row: ReportStep, *, actor: Actor, systems: Sequence[System], reason: str
) -> list[ReportStep]:
    """Decide the step as 「報告する」 and send it to the managers of each chosen system."""
    row = ReportStep.objects.select_for_update().get(pk=row.pk)
    access.require(actor, services.TRIAGE, row.incident)
    if not is_horizontal(row):
        raise ValidationError(_("この報告は情報システムごとの確認ではありません。"))
    if not systems:
        raise ValidationError(_("確認する情報システムを選んでください。"))
    if any(s.organization_id != row.organization_id for s in systems):
        raise ValidationError(_("他の組織の台帳の行は指定できません。"))
    chosen = [s for s in systems if s.pk != row.system_id]
    services.decide_step(row, actor=actor, report=True, reason=reason)
    pack = services.pack_of(row.incident)
    role = next(r for r in pack.roles if r.id == row.role)
    now = timezone.now()
    created = []
    for system in chosen:
        people = chain.holders(row.incident.organization, role, system=system)
        new = ReportStep.objects.create(
            organization=row.organization,
            incident=row.incident,
            order=row.order,
            chain=row.chain,
            position=row.position,
            stage=row.stage,
            kind=row.kind,
            senders=row.senders,
            role=row.role,
            to_title=f"{role.title}（{system.name}）",
            system=system,
            vacant=not people,
            timing=row.timing,
            condition=row.condition,
            clause=row.clause,
            quote=row.quote,
            seed=row.seed,
            decision_required=True,
            decision="report",
            decision_reason=reason.strip(),
            state=StepState.WAITING,
            opened_at=now,
        )
        new.recipients.set(people)
        services.send_step(new, now)
        record_change(
            row.organization,
            actor=actor,
            action=IncidentAuditAction.OPEN_REPORT_STEP,
            obj=new,
            after=services.step_snapshot(new),
        )
        created.append(new)
    return created
