"""Manual routing for packs without a reporting chain (基本方針 only: 蒲郡市, 宮城県市町村自治
振興センター, 品川区): the 情報政策担当 records each report it makes by hand.

Each such step is marked manual (`party` = `MANUAL`), cites the pack's 緊急時対応計画
commitment (or, without one, its delegation to the 対策基準), and is acknowledged like an
outside party's, with the means.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.access import Actor
from kitei.core.services import record_change
from kitei.incidents import chain, services
from kitei.incidents.choices import IncidentAuditAction, Means, StepState
from kitei.incidents.models import Incident, ReportStep

MANUAL = "@manual"  # not a pack id (those match [a-z0-9…])


@transaction.atomic
def add_manual_step(incident: Incident, *, actor: Actor, to: str, means: str) -> ReportStep:
    """Record a report the 情報政策担当 made by hand to `to` (who, as written), sent now."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    access.require(actor, services.TRIAGE, incident)
    if not incident.manual:
        raise ValidationError(_("このインシデントの報告経路はパックに定められています。"))
    if not to.strip():
        raise ValidationError(_("報告先を入力してください。"))
    if means not in Means.values or means == Means.KITEI:
        raise ValidationError(_("連絡の手段を選んでください。"))
    pack = chain.pack_of(incident)
    cited = pack.emergency_plan or pack.undetermined
    now = timezone.now()
    row = ReportStep.objects.create(
        organization=incident.organization,
        incident=incident,
        order=incident.steps.count() + 1,
        chain=MANUAL,
        position=0,
        stage="filing",
        kind="report",
        senders=[{"id": "@policy_office", "title": _("情報政策担当（組織管理者）")}],
        party=MANUAL,
        to_title=to.strip()[:200],
        timing="unspecified",
        clause=cited.clause,
        quote=cited.quote,
        seed=cited.source or pack.source,
        state=StepState.SENT,
        opened_at=now,
        sent_at=now,
        means=means,
        note=_("手動で連絡"),
    )
    record_change(
        incident.organization,
        actor=actor,
        action=IncidentAuditAction.OPEN_REPORT_STEP,
        obj=row,
        after={**services.step_snapshot(row), "manual": True},
    )
    return row
