"""The improvement action of an answer as a corrective action (kitei.corrective).

一部実施 / 実施していない need an improvement within the answerer's authority (002
10-2(2)ア). The answer keeps its plan, owner and due date; the first time it has one, a
`CorrectiveAction` is raised from it (source: the answer, citing the item's clause and
quote) and followed to closure by the corrective-action app. Its owner is the member named
as 改善の担当者 when one of the organisation has exactly that name, else the person who
answered; an operator's answer without a person raises none.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from kitei.core import access, tenancy
from kitei.corrective.models import CorrectiveAction
from kitei.corrective.services import raise_action
from kitei.inspections.models import Answer
from kitei.people.models import Person


def action_of(answer: Answer) -> CorrectiveAction | None:
    """The corrective action raised from the answer, if any."""
    kind = ContentType.objects.get_for_model(Answer)
    return CorrectiveAction.objects.filter(source_type=kind, source_id=answer.pk).first()


def raise_improvement(answer: Answer, *, actor: access.Actor) -> CorrectiveAction | None:
    """Raise the answer's corrective action once (None when there is one, or no owner)."""
    if action_of(answer) is not None:
        return None
    questionnaire = answer.questionnaire
    named = list(
        Person.objects.filter(organization_id=answer.organization_id, name=answer.owner)[:2]
    )
    owner = named[0] if len(named) == 1 else tenancy.person_of(actor)
    if owner is None:
        return None
    return raise_action(
        questionnaire.organization,
        answer,
        f"自己点検 {answer.item.clause}（{questionnaire.title}）: {answer.plan}"[:200],
        owner,
        answer.due_on,
        actor=actor,
        plan=answer.plan,
        department=questionnaire.department,
        clause=answer.item.clause,
        quote=answer.item.quote,
    )
