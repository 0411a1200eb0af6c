"""`/api/corrective`: the caller's corrective actions (mine / department / all)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from kitei.core import access
from kitei.core.api.auth import ApiError, TokenAuth, caller_of
from kitei.core.api.errors import ERRORS
from kitei.corrective import queries
from kitei.corrective.models import CorrectiveAction
from kitei.people.models import Person

router = Router(tags=["是正措置"])


class ActionFilters(Schema):
    """Whose actions, and whether only the overdue."""

    scope: str = Field(queries.MINE, description="mine（自分の担当）/ department（自分の課）/ all")
    overdue: bool = Field(False, description="期限を過ぎた未確認のもののみ")


class ActionOut(Schema):
    """One corrective action."""

    id: int
    number: str
    title: str
    source: str
    clause: str
    quote: str
    pack_digest: str
    owner: str
    owner_role: str
    department: str | None
    due_on: date | None = Field(description="期限（null は未設定）")
    state: str
    state_label: str
    overdue: bool
    raised_at: datetime
    verified_by: str | None


def _out(action: CorrectiveAction, today: date) -> dict[str, Any]:
    return {
        "id": action.pk,
        "number": action.number,
        "title": action.title,
        "source": action.source_label,
        "clause": action.clause,
        "quote": action.quote,
        "pack_digest": action.pack_digest,
        "owner": action.owner.name,
        "owner_role": action.owner_role,
        "department": action.department.name if action.department else None,
        "due_on": action.due_on,
        "state": action.state,
        "state_label": str(action.get_state_display()),
        "overdue": action.is_overdue(today),
        "raised_at": action.raised_at,
        "verified_by": action.verified_by.name if action.verified_by else None,
    }


@router.get(
    "",
    response={200: list[ActionOut], **ERRORS},
    auth=TokenAuth("corrective.view"),
    summary="是正措置の一覧",
)
def list_actions(request: HttpRequest, filters: Query[ActionFilters]) -> list[dict[str, Any]]:
    """The caller's corrective actions of the scope, due date first."""
    caller = caller_of(request)
    person = access.person_of(caller.user)
    if filters.scope not in queries.SCOPES:
        raise ApiError(422, "scope", "scope は mine・department・all のいずれかです。")
    if not isinstance(person, Person):
        raise ApiError(403, "person", "組織の職員ではありません。")
    today = timezone.localdate()
    rows = queries.listed(
        caller.organization,
        caller.user,
        person,
        filters.scope,
        overdue_on=today if filters.overdue else None,
    ).select_related("verified_by")
    return [_out(a, today) for a in rows[:1000]]
