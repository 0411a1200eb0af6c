"""Starting a campaign: questionnaires per system, per 課, per person, pinned to the pack."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kitei.core import access
from kitei.core.models import ChangeRecord
from kitei.inspections.generation import start_campaign
from kitei.inspections.models import Answer, Item, Questionnaire
from kitei.policy import load_pack
from tests.conftest import SETUP, make_person

from .conftest import Cast


def _controls(pack: str, scope: str) -> list[str]:
    return [c.id for c in load_pack(pack).pack.controls if c.scope == scope]


def test_systems_campaign_one_questionnaire_per_system_to_its_manager(cast: Cast) -> None:
    campaign = start_campaign(
        cast.org, actor=cast.admin.user, duty_id="self-inspection-systems", fiscal_year=2026
    )
    assert campaign.scopes == ["system"]
    assert campaign.pack_digest == cast.org.pack_digest
    assert (campaign.clause, campaign.source) == ("10-2(1)ア", "002_ecf5b63335077659.txt")
    questionnaires = list(campaign.questionnaires.order_by("title"))
    assert [(q.system, q.assignee) for q in questionnaires] == [
        (cast.minutes, None),  # nobody in the register: 未設定, never a guess
        (cast.network, cast.kato),
    ]
    assert {q.assignee_role for q in questionnaires} == {"information_system_manager"}
    assert {q.reviewer_role for q in questionnaires} == {""}  # the duty names no reviewer
    items = list(Item.objects.filter(campaign=campaign).values_list("control_id", flat=True))
    assert items == _controls("mito-city-council", "system")
    for q in questionnaires:
        answered = q.answers.order_by("item__position").values_list("item__control_id", flat=True)
        assert list(answered) == items


def test_policy_campaign_one_per_department_reviewed_by_the_officer(cast: Cast) -> None:
    campaign = start_campaign(
        cast.org, actor=cast.admin.user, duty_id="self-inspection-policy", fiscal_year=2026
    )
    per_dept = campaign.questionnaires.filter(scope="department").order_by("title")
    assert [(q.department, q.assignee, q.reviewer) for q in per_dept] == [
        (cast.somu, cast.sato, cast.officer),
        (cast.giji, cast.ono, cast.officer),
    ]
    assert {q.reviewer_role for q in per_dept} == {"information_security_officer"}
    (whole,) = campaign.questionnaires.filter(scope="organization")
    assert (whole.assignee, whole.assignee_role) == (cast.officer, "information_security_officer")
    dept_items = Answer.objects.filter(questionnaire=per_dept[0]).count()
    assert dept_items == len(_controls("mito-city-council", "department"))


def test_toyama_questionnaire_to_every_union_member(toyama: Any, yamada: Any) -> None:
    chief = make_person(toyama, "chief", "統括 太郎", roles=("chief_information_manager",))
    admin = make_person(toyama, "tadmin", "管理 花子", is_org_admin=True)
    campaign = start_campaign(
        toyama, actor=admin.user, duty_id="questionnaire-inspection", fiscal_year=2026
    )
    assert campaign.scopes == ["organization", "person"]
    people = campaign.questionnaires.filter(scope="person").order_by("title")
    assert {q.subject for q in people} == {yamada, chief, admin}
    assert all(q.assignee == q.subject and q.reviewer == chief for q in people)
    assert people[0].answers.count() == len(_controls("toyama-kankoji-kumiai", "person"))


@pytest.mark.parametrize(
    ("slug", "pack"), [("gama", "gamagori-city"), ("miyagi", "miyagi-jichi-center"),
                  ("shina", "shinagawa-city")],
)  # fmt: skip
def test_basic_policy_packs_run_on_policy_level_items(db: None, slug: str, pack: str) -> None:
    from tests.conftest import make_org  # noqa: PLC0415

    org = make_org(slug, pack, slug)
    campaign = start_campaign(org, actor=SETUP, duty_id="self-inspection", fiscal_year=2026)
    (only,) = campaign.questionnaires.all()
    assert only.scope == "organization"
    assert (only.assignee_role, only.assignee) == ("", None)  # the seed names nobody
    assert only.answers.count() == len(_controls(pack, "organization"))


def test_one_audit_record_per_questionnaire_and_one_for_the_campaign(cast: Cast) -> None:
    before = ChangeRecord.objects.filter(organization=cast.org).count()
    campaign = start_campaign(
        cast.org, actor=cast.admin.user, duty_id="self-inspection-policy", fiscal_year=2026
    )
    records = ChangeRecord.objects.filter(organization=cast.org).order_by("seq")[before:]
    actions = [r.action for r in records]
    assert actions == ["start_inspection_campaign"] + ["generate_questionnaire"] * 3
    after = json.loads(records[0].after)
    assert after["manifest"] == campaign.manifest
    assert after["pack_digest"] == cast.org.pack_digest


def test_only_managers_start_and_nothing_is_half_written(cast: Cast) -> None:
    with pytest.raises(access.Refusal):
        start_campaign(
            cast.org, actor=cast.sato.user, duty_id="self-inspection-policy", fiscal_year=2026
        )
    with pytest.raises(ValidationError, match="点検の義務ではありません"):
        start_campaign(cast.org, actor=cast.admin.user, duty_id="training", fiscal_year=2026)
    with pytest.raises(ValidationError, match="選べません"):
        start_campaign(
            cast.org,
            actor=cast.admin.user,
            duty_id="self-inspection-policy",
            fiscal_year=2026,
            scopes=["課"],
        )
    assert not Questionnaire.objects.exists()
    start_campaign(
        cast.org, actor=cast.admin.user, duty_id="self-inspection-policy", fiscal_year=2026
    )
    with pytest.raises(ValidationError, match="開始済み"):
        start_campaign(
            cast.org, actor=cast.admin.user, duty_id="self-inspection-policy", fiscal_year=2026
        )
    assert Questionnaire.objects.count() == 3
