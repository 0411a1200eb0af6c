"""Answering, delegating, submitting and reviewing (§5.3 acceptance 5 and 8)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kitei.core import access
from kitei.core.models import ChangeRecord
from kitei.core.services import upgrade_pack
from kitei.core.workflow import TransitionRefused
from kitei.inspections.generation import start_campaign
from kitei.inspections.models import Answer, Item, Questionnaire
from kitei.inspections.queries import item_diff
from kitei.inspections.services import (
    answer_item,
    delegate_item,
    review_questionnaire,
    submit_questionnaire,
)
from kitei.policy.loader import resolve_pack_path
from tests.conftest import SETUP

from .conftest import Cast


@pytest.fixture
def somu_q(cast: Cast) -> Questionnaire:
    campaign = start_campaign(
        cast.org, actor=cast.admin.user, duty_id="self-inspection-policy", fiscal_year=2026
    )
    return campaign.questionnaires.get(department=cast.somu)


def _first(q: Questionnaire) -> Answer:
    return q.answers.select_related("item", "questionnaire").order_by("item__position")[0]


def _answer_all(q: Questionnaire, person: Any) -> None:
    for answer in q.answers.select_related("item", "questionnaire").filter(choice=""):
        answer_item(answer, actor=person.user, choice="done")


def test_first_answer_starts_the_questionnaire_and_is_audited(
    cast: Cast, somu_q: Questionnaire
) -> None:
    answer = answer_item(_first(somu_q), actor=cast.sato.user, choice="done", comment=" 確認済 ")
    somu_q.refresh_from_db()
    assert somu_q.state == "answering"
    assert (answer.choice, answer.comment, answer.answered_by) == ("done", "確認済", "佐藤 一郎")
    records = ChangeRecord.objects.filter(organization=cast.org).order_by("-seq")[:2]
    assert [r.action for r in records] == ["start_questionnaire", "answer_inspection_item"]
    after = json.loads(records[1].after)
    assert (after["choice"], after["clause"]) == ("done", answer.item.clause)


def test_not_applicable_needs_a_reason_and_not_done_an_improvement_action(
    cast: Cast, somu_q: Questionnaire
) -> None:
    answer = _first(somu_q)
    with pytest.raises(ValidationError) as info:
        answer_item(answer, actor=cast.sato.user, choice="not_applicable", reason="  ")
    assert info.value.message_dict == {"reason": ["「該当なし」には理由を記入してください。"]}
    with pytest.raises(ValidationError) as info:
        answer_item(answer, actor=cast.sato.user, choice="not_done", plan="鍵を付ける")
    assert set(info.value.message_dict) == {"owner", "due_on"}
    with pytest.raises(ValidationError):
        answer_item(answer, actor=cast.sato.user, choice="partial")
    answer.refresh_from_db()
    assert answer.choice == ""
    assert not ChangeRecord.objects.filter(action="answer_inspection_item").exists()
    done = answer_item(
        answer,
        actor=cast.sato.user,
        choice="partial",
        plan="入退室管理簿を備える",
        owner="佐藤 一郎",
        due_on=date(2027, 1, 31),
        reason="残らない",
    )
    assert (done.plan, done.owner, done.due_on, done.reason) == (
        "入退室管理簿を備える",
        "佐藤 一郎",
        date(2027, 1, 31),
        "",
    )


def test_only_the_role_holder_or_a_delegate_answers(cast: Cast, somu_q: Questionnaire) -> None:
    answer = _first(somu_q)
    for other in (cast.ono, cast.suzuki, cast.officer):
        with pytest.raises(access.Refusal):
            answer_item(answer, actor=other.user, choice="done")
    with pytest.raises(access.Refusal):
        delegate_item(answer, actor=cast.suzuki.user, person=cast.suzuki)
    delegate_item(answer, actor=cast.sato.user, person=cast.suzuki)
    answer_item(answer, actor=cast.suzuki.user, choice="done")
    second = somu_q.answers.select_related("item", "questionnaire").order_by("item__position")[1]
    with pytest.raises(access.Refusal):
        answer_item(second, actor=cast.suzuki.user, choice="done")
    _answer_all(somu_q, cast.sato)
    with pytest.raises(access.Refusal, match="委任された職員は提出できません"):
        submit_questionnaire(somu_q, actor=cast.suzuki.user)
    assert submit_questionnaire(somu_q, actor=cast.sato.user).state == "submitted"


def test_submit_needs_every_answer_and_closes_answering(cast: Cast, somu_q: Questionnaire) -> None:
    answer_item(_first(somu_q), actor=cast.sato.user, choice="unknown")
    with pytest.raises(ValidationError, match="未回答の項目が"):
        submit_questionnaire(somu_q, actor=cast.sato.user)
    _answer_all(somu_q, cast.sato)
    submitted = submit_questionnaire(somu_q, actor=cast.sato.user)
    assert submitted.submitted_at is not None
    with pytest.raises(ValidationError, match="「提出」のため"):
        answer_item(_first(somu_q), actor=cast.sato.user, choice="done")


def test_review_return_resubmit_confirm_and_reopen_by_the_reviewer_only(
    cast: Cast, somu_q: Questionnaire
) -> None:
    _answer_all(somu_q, cast.sato)
    submit_questionnaire(somu_q, actor=cast.sato.user)
    with pytest.raises(access.Refusal):
        review_questionnaire(somu_q, actor=cast.sato.user, event="confirm")
    with pytest.raises(ValidationError):
        review_questionnaire(somu_q, actor=cast.officer.user, event="return", reason="")
    returned = review_questionnaire(
        somu_q, actor=cast.officer.user, event="return", reason="根拠を追記"
    )
    assert (returned.state, returned.return_reason) == ("returned", "根拠を追記")
    answer_item(_first(somu_q), actor=cast.sato.user, choice="done", comment="追記")
    submit_questionnaire(somu_q, actor=cast.sato.user)
    confirmed = review_questionnaire(somu_q, actor=cast.officer.user, event="confirm")
    assert confirmed.state == "confirmed"
    with pytest.raises(TransitionRefused):
        submit_questionnaire(somu_q, actor=cast.sato.user)
    with pytest.raises(access.Refusal):
        review_questionnaire(somu_q, actor=cast.sato.user, event="reopen", reason="訂正")
    reopened = review_questionnaire(somu_q, actor=cast.officer.user, event="reopen", reason="訂正")
    assert reopened.state == "answering"
    record = ChangeRecord.objects.filter(action="reopen_questionnaire").get()
    assert record.object_id == str(somu_q.pk)
    assert json.loads(record.after)["reason"] == "訂正"
    assert record.actor_name == "officer"


def test_without_a_reviewer_role_the_managers_confirm(cast: Cast) -> None:
    campaign = start_campaign(
        cast.org, actor=cast.admin.user, duty_id="self-inspection-systems", fiscal_year=2026
    )
    q = campaign.questionnaires.get(system=cast.network)
    _answer_all(q, cast.kato)
    submit_questionnaire(q, actor=cast.kato.user)
    for other in (cast.sato, cast.kato):  # no grant of inspections.manage
        with pytest.raises(access.Refusal):
            review_questionnaire(q, actor=other.user, event="confirm")
    # The pack grants inspections.manage to the 情報セキュリティ責任者 (10-2(1)イ).
    assert review_questionnaire(q, actor=cast.officer.user, event="confirm").state == "confirmed"
    review_questionnaire(q, actor=cast.admin.user, event="reopen", reason="訂正")


def test_a_pack_upgrade_leaves_the_open_campaign_unchanged(
    cast: Cast, somu_q: Questionnaire, tmp_path: Path
) -> None:
    before = list(Item.objects.filter(campaign=somu_q.campaign).values())
    source = resolve_pack_path("mito-city-council").read_text(encoding="utf-8")
    changed = source.replace('version: "1.3.0"', 'version: "1.3.1"', 1).replace(
        '  - {id: "MITO-5-2.2.ア",', '  - {id: "MITO-5-2.2.ア-new",', 1
    )
    assert changed != source
    (tmp_path / "pack.yaml").write_text(changed, encoding="utf-8")
    upgrade_pack(cast.org, actor=SETUP, pack=str(tmp_path / "pack.yaml"))
    assert list(Item.objects.filter(campaign=somu_q.campaign).values()) == before
    somu_q.campaign.refresh_from_db()
    assert somu_q.campaign.pack_digest != cast.org.pack_digest
    answer_item(_first(somu_q), actor=cast.sato.user, choice="done")
    nxt = start_campaign(
        cast.org, actor=cast.admin.user, duty_id="self-inspection-systems", fiscal_year=2027
    )
    assert nxt.items.filter(control_id="MITO-5-2.2.ア-new").exists()
    old_policy = start_campaign(
        cast.org, actor=cast.admin.user, duty_id="self-inspection-policy", fiscal_year=2027
    )
    assert not item_diff(old_policy).any  # no department item changed
    diff = item_diff(nxt)
    assert diff.previous is None  # the first systems campaign: nothing to compare
    later = start_campaign(
        cast.org, actor=cast.admin.user, duty_id="self-inspection-systems", fiscal_year=2028
    )
    assert not item_diff(later).any
    nxt.items.filter(control_id="MITO-5-2.2.ア-new").update(control_id="MITO-5-2.2.ア")
    nxt.manifest = "sha256:edited"
    nxt.save(update_fields=["manifest"])
    changed = item_diff(later)
    assert [i.control_id for i in changed.added] == ["MITO-5-2.2.ア-new"]
    assert [i.control_id for i in changed.removed] == ["MITO-5-2.2.ア"]


def test_an_improvement_raises_one_corrective_action(cast: Cast, somu_q: Questionnaire) -> None:
    from kitei.inspections.improvement import action_of  # noqa: PLC0415

    answer = _first(somu_q)
    answer_item(
        answer,
        actor=cast.sato.user,
        choice="not_done",
        plan="入退室管理簿を備える",
        owner="鈴木 花子",
        due_on=date(2027, 1, 31),
    )
    action = action_of(answer)
    assert action is not None
    assert (action.owner, action.due_on, action.clause) == (
        cast.suzuki,
        date(2027, 1, 31),
        answer.item.clause,
    )
    assert action.quote == answer.item.quote
    assert action.department == cast.somu
    answer_item(
        answer,
        actor=cast.sato.user,
        choice="partial",
        plan="入退室管理簿を備える（一部）",
        owner="外部の業者",  # not a member: the answerer owns the action
        due_on=date(2027, 2, 1),
    )
    assert action_of(answer) == action  # raised once; the corrective app follows it up
    second = somu_q.answers.select_related("item", "questionnaire").order_by("item__position")[1]
    answer_item(
        second, actor=cast.sato.user, choice="partial", plan="掲示", owner="外部の業者",
        due_on=date(2027, 3, 1),
    )  # fmt: skip
    second_action = action_of(second)
    assert second_action is not None
    assert second_action.owner == cast.sato
