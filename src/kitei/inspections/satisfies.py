"""What a self-inspection proves on the fiscal-year calendar (`satisfied_by: [self_inspection]`).

A duty such as 002 10-2(1)ア 「所管する情報システムについて、毎年度…自己点検を実施しなければ
ならない」 is done, for one scope, when that scope's questionnaire of a campaign started from
the duty is finished inside the period: confirmed by its reviewer (確認済), or submitted
where the campaign names no reviewer. The organisation has done it when the whole campaign
is 完了: it proves the duty for the organisation on the day its last questionnaire was
finished (the organisation's own questionnaire alone is not the whole inspection).
Registered with the calendar (`kitei.duties.satisfiers`) from the app's `ready`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from kitei.duties.satisfiers import Proof, Query
from kitei.inspections.choices import CampaignState, QuestionnaireState, Scope
from kitei.inspections.models import Questionnaire


def _scope_id(questionnaire: Questionnaire) -> int | None:
    return {
        Scope.DEPARTMENT: questionnaire.department_id,
        Scope.SYSTEM: questionnaire.system_id,
        Scope.PERSON: questionnaire.subject_id,
    }.get(Scope(questionnaire.scope))


def _finished_at(questionnaire: Questionnaire) -> datetime | None:
    if questionnaire.state == QuestionnaireState.CONFIRMED:
        return questionnaire.reviewed_at
    if questionnaire.state == QuestionnaireState.SUBMITTED and not questionnaire.reviewer_role:
        return questionnaire.submitted_at
    return None


def self_inspections(organization: Any, query: Query) -> Iterator[Proof]:
    """Finished questionnaires (per scope) and closed campaigns (organisation) of the duty."""
    rows = (
        Questionnaire.objects.filter(
            organization=organization,
            campaign__duty_id=query.duty.id,
        )
        .filter(
            Q(state=QuestionnaireState.CONFIRMED)
            | Q(state=QuestionnaireState.SUBMITTED, reviewer_role="")
        )
        .select_related("campaign")
        .order_by("pk")
    )
    last_of_campaign: dict[int, tuple[datetime, Questionnaire]] = {}
    for questionnaire in rows:
        at = _finished_at(questionnaire)
        if at is None:
            continue
        day = timezone.localdate(at)
        # The organisation's own questionnaire is one part of the campaign: the organisation
        # has done the duty when the whole campaign is 完了 (below), not before.
        if questionnaire.scope != Scope.ORGANIZATION and query.start <= day <= query.end:
            yield Proof(
                on=day,
                scope_kind=str(questionnaire.scope),
                scope_id=_scope_id(questionnaire),
                label=f"{questionnaire.campaign.duty_title}: {questionnaire.title}",
                url=reverse("inspections:questionnaire", args=[questionnaire.pk]),
                object_type="inspections.questionnaire",
                object_id=str(questionnaire.pk),
            )
        known = last_of_campaign.get(questionnaire.campaign_id)
        if known is None or at > known[0]:
            last_of_campaign[questionnaire.campaign_id] = (at, questionnaire)
    for at, questionnaire in last_of_campaign.values():
        campaign = questionnaire.campaign
        day = timezone.localdate(at)
        if campaign.state == CampaignState.CLOSED and query.start <= day <= query.end:
            yield Proof(
                on=day,
                scope_kind="organization",
                scope_id=None,
                label=str(campaign.duty_title),
                url=reverse("inspections:campaign", args=[campaign.pk]),
                object_type="inspections.campaign",
                object_id=str(campaign.pk),
            )
