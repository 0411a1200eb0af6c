"""Answering, delegating, submitting and reviewing a questionnaire; every change audited.

Who may do what (kitei's rules, named in the transition table): the holder of the
questionnaire's role answers, delegates items and submits (a person's own questionnaire is
theirs); a person an item was delegated to answers that item; the holder of the reviewer
role confirms, returns or reopens (the campaign's managers where the duty names no
reviewer).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kitei.core import access, tenancy
from kitei.core.grants import Reason
from kitei.core.services import actor_name, record_change
from kitei.core.workflow import move
from kitei.inspections.choices import (
    NEEDS_IMPROVEMENT,
    AnswerChoice,
    InspectionAuditAction,
    QuestionnaireEvent,
    QuestionnaireState,
)
from kitei.inspections.improvement import raise_improvement
from kitei.inspections.models import Answer, Questionnaire
from kitei.inspections.workflow import QUESTIONNAIRE_WORKFLOW
from kitei.people.models import Person

OPEN_STATES = frozenset(
    {
        QuestionnaireState.NOT_STARTED.value,
        QuestionnaireState.ANSWERING.value,
        QuestionnaireState.RETURNED.value,
    }
)

REVIEW_EVENTS = frozenset(
    {
        QuestionnaireEvent.CONFIRM.value,
        QuestionnaireEvent.RETURN.value,
        QuestionnaireEvent.REOPEN.value,
    }
)


def refusal(text: str) -> access.Refusal:
    return access.Refusal(
        access.Verdict(allowed=False, permission="inspections.view", reasons=(Reason(text=text),))
    )


def is_holder(actor: access.Actor | None, questionnaire: Questionnaire) -> bool:
    """Whether the actor answers for the questionnaire: its assignee or its role's holder."""
    person = tenancy.person_of(actor)
    if person is None or person.organization_id != questionnaire.organization_id:
        return False
    if person.pk == questionnaire.assignee_id:
        return True
    if questionnaire.subject_id is not None or not questionnaire.assignee_role:
        return False
    return any(
        _covers(a, questionnaire)
        for a in access.assignments_of(person)
        if a.role_id == questionnaire.assignee_role
    )


def _covers(assignment: Any, questionnaire: Questionnaire) -> bool:
    """Whether a role assignment reaches the questionnaire's system or 課."""
    if questionnaire.system_id is not None:
        return bool(assignment.system_id == questionnaire.system_id)
    if questionnaire.scope == "department":
        return bool(assignment.department_id == questionnaire.department_id)
    return True


def is_reviewer(actor: access.Actor | None, questionnaire: Questionnaire) -> bool:
    """Whether the actor confirms, returns and reopens the questionnaire."""
    if not questionnaire.reviewer_role:
        return not isinstance(actor, access.Operator) and bool(
            access.check(actor, "inspections.manage", questionnaire)
        )
    person = tenancy.person_of(actor)
    if person is None or person.organization_id != questionnaire.organization_id:
        return False
    if person.pk == questionnaire.reviewer_id:
        return True
    return questionnaire.reviewer_role in access.roles_held_by(person)


def may_answer(actor: access.Actor | None, answer: Answer) -> bool:
    """The holder answers every item; a delegate answers the items delegated to them."""
    if is_holder(actor, answer.questionnaire):
        return True
    person = tenancy.person_of(actor)
    return person is not None and answer.delegated_to_id == person.pk


def check_answer(
    choice: str, *, reason: str = "", plan: str = "", owner: str = "", due_on: date | None = None
) -> dict[str, list[str]]:
    """The field errors of an answer (empty when it may be saved)."""
    errors: dict[str, list[str]] = {}
    if choice not in AnswerChoice.values:
        errors["choice"] = ["回答を選んでください。"]
        return errors
    if choice == AnswerChoice.NOT_APPLICABLE and not reason.strip():
        errors["reason"] = ["「該当なし」には理由を記入してください。"]
    if choice in NEEDS_IMPROVEMENT:
        if not plan.strip():
            errors["plan"] = ["「一部実施」「実施していない」には改善の内容を記入してください。"]
        if not owner.strip():
            errors["owner"] = ["改善の担当者を記入してください。"]
        if due_on is None:
            errors["due_on"] = ["改善の期限を記入してください。"]
    return errors


def _snapshot(answer: Answer) -> dict[str, Any]:
    return {
        "choice": answer.choice,
        "reason": answer.reason,
        "plan": answer.plan,
        "owner": answer.owner,
        "due_on": answer.due_on.isoformat() if answer.due_on else None,
        "comment": answer.comment,
    }


@transaction.atomic
def answer_item(
    answer: Answer,
    *,
    actor: access.Actor,
    choice: str,
    reason: str = "",
    plan: str = "",
    owner: str = "",
    due_on: date | None = None,
    comment: str = "",
) -> Answer:
    """Save one answer; refuse a closed questionnaire, someone else's, or a missing reason."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=answer.questionnaire_id)
    answer.questionnaire = questionnaire
    if questionnaire.state not in OPEN_STATES:
        raise ValidationError(
            f"この点検票は「{questionnaire.get_state_display()}」のため、回答を変更できません。",
            code="closed",
        )
    if not may_answer(actor, answer):
        raise refusal("この点検項目に回答できるのは、点検票の役割の保有者か委任された職員です。")
    errors = check_answer(choice, reason=reason, plan=plan, owner=owner, due_on=due_on)
    if errors:
        raise ValidationError(errors)
    before = _snapshot(answer)
    improve = choice in NEEDS_IMPROVEMENT
    answer.choice = choice
    answer.reason = reason.strip() if choice == AnswerChoice.NOT_APPLICABLE else ""
    answer.plan, answer.owner = (plan.strip(), owner.strip()) if improve else ("", "")
    answer.due_on = due_on if improve else None
    answer.comment = comment.strip()
    after = _snapshot(answer)
    if after == before:
        return answer
    person = tenancy.person_of(actor)
    answer.answered_by = person.name if person is not None else actor_name(actor)
    answer.answered_at = timezone.now()
    answer.save()
    record_change(
        questionnaire.organization,
        actor=actor,
        action=InspectionAuditAction.ANSWER_ITEM,
        obj=answer,
        before=before,
        after={**after, "clause": answer.item.clause, "quote": answer.item.quote},
    )
    if improve:
        raise_improvement(answer, actor=actor)
    if questionnaire.state == QuestionnaireState.NOT_STARTED:
        move(questionnaire, QuestionnaireEvent.START, actor=actor, table=QUESTIONNAIRE_WORKFLOW)
    return answer


@transaction.atomic
def delegate_item(answer: Answer, *, actor: access.Actor, person: Person | None) -> Answer:
    """Let a member of the organisation answer one item (None takes it back)."""
    questionnaire = answer.questionnaire
    if not is_holder(actor, questionnaire):
        raise refusal("項目を委任できるのは、点検票の役割の保有者です。")
    if person is not None and person.organization_id != questionnaire.organization_id:
        raise ValidationError("この組織の職員を選んでください。", code="invalid")
    before = {"delegated_to": answer.delegated_to_id}
    answer.delegated_to = person
    answer.save(update_fields=["delegated_to"])
    record_change(
        questionnaire.organization,
        actor=actor,
        action=InspectionAuditAction.DELEGATE_ITEM,
        obj=answer,
        before=before,
        after={"delegated_to": person.pk if person else None, "clause": answer.item.clause},
    )
    return answer


@transaction.atomic
def submit_questionnaire(questionnaire: Questionnaire, *, actor: access.Actor) -> Questionnaire:
    """Submit every answer for review; only the role holder, only when all are answered."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    QUESTIONNAIRE_WORKFLOW.transition_for(questionnaire, QuestionnaireEvent.SUBMIT)
    if not is_holder(actor, questionnaire):
        raise refusal(
            "点検票を提出できるのは、点検票の役割の保有者です（委任された職員は提出できません）。"
        )
    missing = questionnaire.answers.filter(choice="").count()
    if missing:
        raise ValidationError(
            f"未回答の項目が{missing}件あります。すべての項目に回答してから提出してください。",
            code="incomplete",
        )
    move(
        questionnaire,
        QuestionnaireEvent.SUBMIT,
        actor=actor,
        table=QUESTIONNAIRE_WORKFLOW,
        changes={"submitted_at": timezone.now(), "return_reason": ""},
    )
    return questionnaire


@transaction.atomic
def review_questionnaire(
    questionnaire: Questionnaire, *, actor: access.Actor, event: str, reason: str = ""
) -> Questionnaire:
    """Confirm, return (with a reason) or reopen (with a reason) a submitted questionnaire."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if event not in (
        QuestionnaireEvent.CONFIRM,
        QuestionnaireEvent.RETURN,
        QuestionnaireEvent.REOPEN,
    ):
        raise ValidationError("この操作はできません。", code="invalid")
    QUESTIONNAIRE_WORKFLOW.transition_for(questionnaire, event)
    if not is_reviewer(actor, questionnaire):
        raise refusal("確認・差戻し・再開ができるのは、点検票の確認者です。")
    if event != QuestionnaireEvent.CONFIRM and not reason.strip():
        raise ValidationError({"reason": ["理由を記入してください。"]})
    changes: dict[str, Any] = {"reviewed_at": timezone.now()}
    if event == QuestionnaireEvent.RETURN:
        changes["return_reason"] = reason.strip()
    move(
        questionnaire,
        event,
        actor=actor,
        table=QUESTIONNAIRE_WORKFLOW,
        changes=changes,
        details={"reason": reason.strip()} if reason.strip() else None,
    )
    return questionnaire
