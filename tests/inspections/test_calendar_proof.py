"""A finished self-inspection marks the duty done on the fiscal-year calendar (issue 13 §5.5 3)."""

from __future__ import annotations

import pytest

from kitei.core.workflow import move
from kitei.duties.schedule import compute
from kitei.inspections.generation import start_campaign
from kitei.inspections.services import answer_item, review_questionnaire, submit_questionnaire
from kitei.inspections.workflow import CAMPAIGN_WORKFLOW

from .conftest import Cast

pytestmark = pytest.mark.django_db


def _states(cast: Cast, duty: str) -> dict[int | None, tuple[str, str]]:
    return {
        o.scope.id: (str(o.state), o.proof.object_id if o.proof else "")
        for o in compute(cast.org, 2026).occurrences
        if o.duty.id == duty
    }


def _answer_all(questionnaire: object, person: object) -> None:
    for answer in questionnaire.answers.select_related("item", "questionnaire"):  # type: ignore[attr-defined]
        answer_item(answer, actor=person.user, choice="done")  # type: ignore[attr-defined]


def test_a_submitted_system_questionnaire_proves_that_systems_duty_only(cast: Cast) -> None:
    duty = "self-inspection-systems"  # 002 10-2(1)ア: per system; the duty names no reviewer
    campaign = start_campaign(cast.org, actor=cast.admin.user, duty_id=duty, fiscal_year=2026)
    network = campaign.questionnaires.get(system=cast.network)
    assert network.reviewer_role == ""
    assert _states(cast, duty)[cast.network.pk][0] != "done"
    _answer_all(network, cast.kato)
    submit_questionnaire(network, actor=cast.kato.user)
    states = _states(cast, duty)
    assert states[cast.network.pk] == ("done", str(network.pk))
    assert states[cast.minutes.pk][0] != "done"  # the other system still owes it


def test_the_organisations_duty_is_done_when_its_campaign_is_closed(cast: Cast) -> None:
    duty = "self-inspection-policy"  # 002 10-2(1)イ: the organisation, 課 reviewed
    campaign = start_campaign(cast.org, actor=cast.admin.user, duty_id=duty, fiscal_year=2026)
    for questionnaire in campaign.questionnaires.select_related("assignee__user"):
        holder = questionnaire.assignee  # the role holder of the 課 (or the organisation)
        _answer_all(questionnaire, holder)
        submit_questionnaire(questionnaire, actor=holder.user)
        assert _states(cast, duty)[None][0] != "done"  # submitted is not reviewed
        if questionnaire.reviewer_role:
            review_questionnaire(questionnaire, actor=cast.officer.user, event="confirm")
    assert _states(cast, duty)[None][0] != "done"  # every 課 confirmed, campaign still open
    move(campaign, "tally", actor=cast.officer.user, table=CAMPAIGN_WORKFLOW)
    move(campaign, "close", actor=cast.officer.user, table=CAMPAIGN_WORKFLOW)
    assert _states(cast, duty)[None] == ("done", str(campaign.pk))
