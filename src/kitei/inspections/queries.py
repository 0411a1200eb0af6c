"""Reading self-inspection: evidence kitei holds, last year's answers, the roll-up.

Roll-ups are GROUP BY queries over the answers (one per view of the campaign), never one
query per state; the evidence of a questionnaire is two grouped queries (record-book
entries, requests of the named actions) for the scope and the campaign's fiscal year.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kitei.approvals.models import Request
from kitei.core import access
from kitei.core.fiscal import fiscal_year_bounds
from kitei.inspections.choices import NEEDS_IMPROVEMENT, AnswerChoice, QuestionnaireState, Scope
from kitei.inspections.models import Answer, Campaign, Item, Questionnaire
from kitei.policy.actions import CANONICAL_ACTIONS
from kitei.policy.model import Note, Pack
from kitei.records.models import RecordEntry

DONE_STATES = (QuestionnaireState.SUBMITTED, QuestionnaireState.CONFIRMED)
GRANTED = ("approved", "permitted", "completed")
CHOICES = [*AnswerChoice.values, ""]  # "" = not answered yet
CHOICE_LABELS = [*AnswerChoice.labels, _("未回答")]


def campaign_pack(campaign: Campaign) -> Pack:
    """The pack version the campaign was started under (its digest), not today's."""
    return access.engine_for(campaign.pack_id, campaign.pack_digest).pack


def _fy_range(fiscal_year: int) -> tuple[datetime, datetime]:
    first, last = fiscal_year_bounds(fiscal_year)
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(first, time.min, zone), datetime.combine(last, time.max, zone)


@dataclass(frozen=True, kw_only=True)
class EvidenceLine:
    """What kitei holds for one hint: a book's entries or an action's requests this year."""

    kind: str  # "book", "action", "duty"
    ref: str
    title: str
    count: int | None  # None for a duty (kitei keeps no occurrences of it here)
    whole_organization: bool  # counted for the organisation, not only this scope


def evidence_for(questionnaire: Questionnaire, items: list[Item]) -> dict[int, list[EvidenceLine]]:
    """The evidence lines of each item (by item id) for the questionnaire's scope and year."""
    pack = campaign_pack(questionnaire.campaign)
    hints = [(item, h.split(":", 1)) for item in items for h in item.evidence]
    books = {ref for _item, (kind, ref) in hints if kind == "book"}
    actions = {ref for _item, (kind, ref) in hints if kind == "action"}
    start, end = _fy_range(questionnaire.campaign.fiscal_year)
    org = questionnaire.organization_id
    entries = RecordEntry.objects.filter(
        organization_id=org, book__in=books, recorded_at__range=(start, end)
    )
    requests = Request.objects.filter(
        organization_id=org, action__in=actions, state__in=GRANTED, created_at__range=(start, end)
    )
    whole_books = whole_actions = True
    if questionnaire.scope == Scope.DEPARTMENT:
        dept: dict[str, Any] = {"department_id": questionnaire.department_id}
        entries = entries.filter(recorded_by__department_id=dept["department_id"])
        requests = requests.filter(**dept)
        whole_books = whole_actions = False
    elif questionnaire.scope == Scope.PERSON:
        entries = entries.filter(
            Q(recorded_by_id=questionnaire.subject_id) | Q(person_id=questionnaire.subject_id)
        )
        requests = requests.filter(applicant_id=questionnaire.subject_id)
        whole_books = whole_actions = False
    elif questionnaire.scope == Scope.SYSTEM:
        system: dict[str, Any] = {"system_id": questionnaire.system_id}
        requests = requests.filter(**system)
        whole_actions = False
    book_counts = _counts(entries, "book") if books else {}
    action_counts = _counts(requests, "action") if actions else {}
    titles = {
        "book": {b.id: b.title for b in pack.record_books},
        "action": {**CANONICAL_ACTIONS, **{a.id: a.title for a in pack.actions}},
        "duty": {d.id: d.title for d in pack.periodic_duties},
    }
    found: dict[int, list[EvidenceLine]] = defaultdict(list)
    for item, (kind, ref) in hints:
        count: int | None = None
        whole = True
        if kind == "book":
            count, whole = book_counts.get(ref, 0), whole_books
        elif kind == "action":
            count, whole = action_counts.get(ref, 0), whole_actions
        found[item.pk].append(
            EvidenceLine(
                kind=kind,
                ref=ref,
                title=titles[kind].get(ref, ref),
                count=count,
                whole_organization=whole,
            )
        )
    return found


def _counts(queryset: QuerySet[Any], column: str) -> dict[str, int]:
    return {row[column]: row["n"] for row in queryset.values(column).annotate(n=Count("id"))}


def previous_answers(questionnaire: Questionnaire) -> dict[str, Answer]:
    """Last fiscal year's answers of the same duty and scope target, by control id."""
    campaign = questionnaire.campaign
    same: dict[str, Any] = {
        "department_id": questionnaire.department_id,
        "system_id": questionnaire.system_id,
        "subject_id": questionnaire.subject_id,
    }
    earlier = Questionnaire.objects.filter(
        organization_id=questionnaire.organization_id,
        campaign__duty_id=campaign.duty_id,
        campaign__fiscal_year=campaign.fiscal_year - 1,
        scope=questionnaire.scope,
        **same,
    ).first()
    if earlier is None:
        return {}
    answers = Answer.objects.filter(questionnaire=earlier).exclude(choice="").select_related("item")
    return {a.item.control_id: a for a in answers}


@dataclass(kw_only=True)
class RollupRow:
    """Counts of each answer (and of items not answered yet) for one questionnaire or item."""

    key: int
    title: str
    scope: str = ""
    state: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def scope_label(self) -> str:
        return str(Scope(self.scope).label) if self.scope else ""

    @property
    def state_label(self) -> str:
        return str(QuestionnaireState(self.state).label) if self.state else ""

    def cells(self) -> list[int]:
        """The counts in the order of `CHOICES` (the table's columns)."""
        return [self.counts.get(c, 0) for c in CHOICES]


@dataclass(kw_only=True)
class Rollup:
    """A campaign's roll-up: per questionnaire, per item, organisation-wide, response rate."""

    questionnaires: list[RollupRow]
    items: list[RollupRow]
    totals: dict[str, int]
    submitted: int
    improvements: list[Answer]  # the first IMPROVEMENTS_SHOWN, soonest due first
    improvement_count: int
    not_inspected: list[Note]

    @property
    def response_rate(self) -> int:
        """Submitted or confirmed questionnaires, per cent of all (0 when none)."""
        total = len(self.questionnaires)
        return round(100 * self.submitted / total) if total else 0


IMPROVEMENTS_SHOWN = 200


def rollup(campaign: Campaign, *, improvements_shown: int | None = IMPROVEMENTS_SHOWN) -> Rollup:
    """The campaign's roll-up, from two GROUP BY queries over its answers.

    The improvement actions listed are the first `improvements_shown` (None: all), soonest
    due first; `improvement_count` counts them all.
    """
    rows = {
        q.pk: RollupRow(key=q.pk, title=q.title, scope=q.scope, state=q.state)
        for q in campaign.questionnaires.all()
    }
    # By the questionnaires' ids (the index of one answer per item), not a join.
    answers = Answer.objects.filter(questionnaire_id__in=list(rows))
    items = {
        i.pk: RollupRow(key=i.pk, title=f"{i.clause} {i.control_id}", scope=i.scope)
        for i in campaign.items.all()
    }
    totals = dict.fromkeys(CHOICES, 0)
    for row in answers.values("questionnaire_id", "choice").annotate(n=Count("id")):
        rows[row["questionnaire_id"]].counts[row["choice"]] = row["n"]
        totals[row["choice"]] += row["n"]
    for row in answers.values("item_id", "choice").annotate(n=Count("id")):
        items[row["item_id"]].counts[row["choice"]] = row["n"]
    improving = answers.filter(choice__in=NEEDS_IMPROVEMENT)
    improvements = list(
        improving.select_related("item", "questionnaire").order_by(
            "due_on", "questionnaire_id", "item_id"
        )[:improvements_shown]
    )
    pack = campaign_pack(campaign)
    scopes = {c.scope for c in pack.controls}
    not_inspected = [] if {"department", "system"} & scopes else list(pack.notes)
    return Rollup(
        questionnaires=list(rows.values()),
        items=list(items.values()),
        totals=totals,
        submitted=sum(1 for r in rows.values() if r.state in DONE_STATES),
        improvements=improvements,
        improvement_count=sum(totals[c] for c in NEEDS_IMPROVEMENT),
        not_inspected=not_inspected,
    )


def waiting_for(person: Any) -> QuerySet[Questionnaire]:
    """The open questionnaires the person answers (home page and 「対応待ち」 list)."""
    return Questionnaire.objects.filter(
        organization_id=person.organization_id,
        assignee=person,
        state__in=(
            QuestionnaireState.NOT_STARTED,
            QuestionnaireState.ANSWERING,
            QuestionnaireState.RETURNED,
        ),
    )


def to_review(person: Any) -> QuerySet[Questionnaire]:
    """Submitted questionnaires the person reviews."""
    return Questionnaire.objects.filter(
        organization_id=person.organization_id,
        reviewer=person,
        state=QuestionnaireState.SUBMITTED,
    )


def rollup_json(campaign: Campaign) -> dict[str, Any]:
    """The roll-up as the CLI and the API print it (answer values as keys, "" = unanswered)."""
    result = rollup(campaign, improvements_shown=None)

    def counts(row: RollupRow) -> dict[str, int]:
        return dict(zip(CHOICES, row.cells(), strict=True))

    return {
        "campaign": campaign.pk,
        "fiscal_year": campaign.fiscal_year,
        "duty": campaign.duty_id,
        "clause": campaign.clause,
        "quote": campaign.quote,
        "pack_digest": campaign.pack_digest,
        "response_rate": result.response_rate,
        "totals": result.totals,
        "questionnaires": [
            {"id": r.key, "title": r.title, "scope": r.scope, "state": r.state, "counts": counts(r)}
            for r in result.questionnaires
        ],
        "items": [{"id": r.key, "title": r.title, "counts": counts(r)} for r in result.items],
        "improvements": [
            {
                "questionnaire": a.questionnaire.title,
                "item": a.item.control_id,
                "clause": a.item.clause,
                "choice": a.choice,
                "plan": a.plan,
                "owner": a.owner,
                "due_on": a.due_on.isoformat() if a.due_on else None,
            }
            for a in result.improvements
        ],
        "not_inspected": [{"clause": n.clause, "quote": n.quote} for n in result.not_inspected],
    }


@dataclass(frozen=True, kw_only=True)
class ItemDiff:
    """How a campaign's items differ from the previous campaign of the same duty."""

    previous: Campaign | None
    added: list[Item]
    removed: list[Item]
    changed: list[tuple[Item, Item]]  # (before, now): clause, quote or question changed

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def item_diff(campaign: Campaign) -> ItemDiff:
    """Items added, removed or reworded since the duty's previous campaign (a pack upgrade)."""
    previous = (
        Campaign.objects.filter(
            organization_id=campaign.organization_id,
            duty_id=campaign.duty_id,
            fiscal_year__lt=campaign.fiscal_year,
        )
        .order_by("-fiscal_year")
        .first()
    )
    if previous is None or previous.manifest == campaign.manifest:
        return ItemDiff(previous=previous, added=[], removed=[], changed=[])
    before = {i.control_id: i for i in previous.items.all()}
    now = {i.control_id: i for i in campaign.items.all()}
    shown = ("clause", "quote", "question", "scope")
    return ItemDiff(
        previous=previous,
        added=[i for k, i in now.items() if k not in before],
        removed=[i for k, i in before.items() if k not in now],
        changed=[
            (before[k], i)
            for k, i in now.items()
            if k in before and any(getattr(before[k], f) != getattr(i, f) for f in shown)
        ],
    )
