"""The roll-up equals the answers (§5.3 check 6), evidence and last year's answers."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kitei.inspections.generation import start_campaign
from kitei.inspections.models import Answer
from kitei.inspections.queries import CHOICES, evidence_for, previous_answers, rollup
from kitei.inspections.services import answer_item, submit_questionnaire
from tests.conftest import SETUP, make_org

from .conftest import Cast


def test_rollup_counts_equal_the_answers(cast: Cast) -> None:
    campaign = start_campaign(
        cast.org, actor=cast.admin.user, duty_id="self-inspection-policy", fiscal_year=2026
    )
    answers = list(Answer.objects.filter(questionnaire__campaign=campaign).order_by("pk"))
    ids = [(a.pk, a.questionnaire_id, a.item_id) for a in answers]

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.sampled_from(CHOICES), min_size=len(ids), max_size=len(ids)))
    def check(choices: list[str]) -> None:
        for choice in set(choices):
            picked = [pk for (pk, _q, _i), c in zip(ids, choices, strict=True) if c == choice]
            Answer.objects.filter(pk__in=picked).update(choice=choice)
        result = rollup(campaign)
        per_q = Counter((q, c) for (_pk, q, _i), c in zip(ids, choices, strict=True))
        per_i = Counter((i, c) for (_pk, _q, i), c in zip(ids, choices, strict=True))
        for row in result.questionnaires:
            assert row.cells() == [per_q[(row.key, c)] for c in CHOICES]
        for row in result.items:
            assert row.cells() == [per_i[(row.key, c)] for c in CHOICES]
        assert result.totals == {c: choices.count(c) for c in CHOICES}
        assert sum(r.total for r in result.questionnaires) == len(ids)

    check()


def test_response_rate_and_improvements(cast: Cast) -> None:
    campaign = start_campaign(
        cast.org, actor=cast.admin.user, duty_id="self-inspection-systems", fiscal_year=2026
    )
    q = campaign.questionnaires.get(system=cast.network)
    first = q.answers.select_related("item", "questionnaire").order_by("item__position")[0]
    answer_item(
        first,
        actor=cast.kato.user,
        choice="not_done",
        plan="入退室管理簿を備える",
        owner="加藤 係長",
        due_on=date(2027, 2, 1),
    )
    Answer.objects.filter(questionnaire=q, choice="").update(choice="done")
    submit_questionnaire(q, actor=cast.kato.user)
    result = rollup(campaign)
    assert result.submitted == 1
    assert result.response_rate == 50
    assert [a.pk for a in result.improvements] == [first.pk]
    assert result.not_inspected == []


def test_basic_policy_rollup_lists_what_the_seed_leaves_out(db: None) -> None:
    org = make_org("gama", "gamagori-city", "蒲郡市")
    campaign = start_campaign(org, actor=SETUP, duty_id="self-inspection", fiscal_year=2026)
    notes = rollup(campaign).not_inspected
    assert "standards-toc-only" in [n.id for n in notes]


def test_evidence_counts_the_years_entries_of_the_hinted_book(cast: Cast, disposal: object) -> None:
    campaign = start_campaign(
        cast.org, actor=cast.admin.user, duty_id="self-inspection-policy", fiscal_year=2026
    )
    q = campaign.questionnaires.get(department=cast.somu)
    items = [i for i in campaign.items.all() if "book:disposal-record" in i.evidence]
    assert items
    lines = evidence_for(q, items)[items[0].pk]
    line = next(x for x in lines if x.ref == "disposal-record")
    assert (line.title, line.count, line.whole_organization) == (
        "廃棄記録（情報資産の廃棄・リース返却等）",
        1,
        False,
    )
    other = campaign.questionnaires.get(department=cast.giji)
    assert next(x for x in evidence_for(other, items)[items[0].pk] if x.kind == "book").count == 0


def test_last_years_answer_is_shown_but_the_new_one_starts_blank(cast: Cast) -> None:
    old = start_campaign(
        cast.org, actor=cast.admin.user, duty_id="self-inspection-policy", fiscal_year=2025
    )
    old_q = old.questionnaires.get(department=cast.somu)
    first = old_q.answers.select_related("item", "questionnaire").order_by("item__position")[0]
    answer_item(first, actor=cast.sato.user, choice="unknown")
    new = start_campaign(
        cast.org, actor=cast.admin.user, duty_id="self-inspection-policy", fiscal_year=2026
    )
    new_q = new.questionnaires.get(department=cast.somu)
    assert set(new_q.answers.values_list("choice", flat=True)) == {""}
    previous = previous_answers(new_q)
    assert previous[first.item.control_id].choice == "unknown"
    assert previous_answers(new.questionnaires.get(department=cast.giji)) == {}
