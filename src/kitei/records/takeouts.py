"""The 持出記録 of a take-out: filled from its approved request, refused without one.

A take-out entry linked to a request takes what the approver saw — the asset, 持出先, 目的,
持出予定日時 and 返却予定日 — for every column left empty, so the book records what was
approved. An entry without a request is refused whenever the pack's rules for the take-out
require approval (002 6-1(1)ウ(イ)), or could require it depending on the class of an asset
the entry does not name (003 2(2)ア); the refusal cites the clause. The expected return is
never before the take-out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.approvals.models import Request
from kitei.approvals.takeout import check_dates
from kitei.core import access
from kitei.core.models import Organization
from kitei.people.models import Person
from kitei.policy import Effect
from kitei.records.books import Book
from kitei.records.models import RecordEntry


def defaults(book: Book, fields: Mapping[str, object], request: Request) -> dict[str, object]:
    """The entry's columns, each one left empty filled from the request the entry records."""
    result = dict(fields)
    columns = {c.id for c in book.fields}
    target = request.asset or request.system
    planned: dict[str, object] = {
        "item": target.name if target is not None else "",
        "destination": request.destination,
        "purpose": request.purpose or request.reason,
        "taken_at": request.planned_take_out_at,
    }
    for column, value in planned.items():
        if column in columns and not result.get(column) and value:
            result[column] = value
    return result


def due_on(given: date | None, request: Request | None) -> date | None:
    """The expected return: as given, else the approved request's 返却予定日."""
    if given is None and request is not None:
        return request.planned_return_on
    return given


def check_return(values: Mapping[str, str], due: date | None) -> None:
    """Refuse an expected return before the day of the take-out (持出日時)."""
    taken = values.get("taken_at", "")
    try:
        moment = datetime.fromisoformat(taken) if taken else None
    except ValueError:
        moment = None
    check_dates(moment, due)


def require_request(
    organization: Organization, book: Book, recorded_by: Person, request: Request | None
) -> None:
    """A take-out the pack makes subject to approval is recorded only from its request."""
    if book.purpose != "take_out" or request is not None:
        return
    action = book.action or "asset.take_out"
    decision = access.decide(
        organization,
        {
            "action": action,
            "actor": {"roles": sorted(access.roles_held_by(recorded_by))},
            "resource": {"kind": "asset"},
            "context": {},
        },
    )
    if decision.effect == Effect.APPROVAL_REQUIRED:
        why = [(r.message, r.clause) for r in decision.reasons if r.effect == decision.effect]
    elif any(r.rule == "missing-classification" for r in decision.reasons):
        # The rules depend on the class of an asset the entry does not name: any of them
        # requiring approval may apply, so the request (which names the asset) decides.
        pack = access.engine_for(organization.pack_id, organization.pack_digest).pack
        why = [
            (r.message, r.clause)
            for r in pack.rules
            if r.action == action and r.effect == Effect.APPROVAL_REQUIRED.value
        ]
    else:
        return
    cited = " ".join(f"{message}（{clause}）" for message, clause in why)
    raise ValidationError(
        _(
            "この持出しは承認された申請と結び付けて記録してください。%(why)s "
            "申請し、承認を受けてから、申請の画面の「持出しを記録」から記録します。"
        )
        % {"why": cited},
        code="take_out_needs_request",
    )


def check_once(book: Book, request: Request | None, corrects: RecordEntry | None) -> None:
    """One approved take-out is recorded once (a correction replaces it, never repeats it)."""
    if book.purpose != "take_out" or request is None or corrects is not None:
        return
    earlier = (
        RecordEntry.objects.filter(request=request, book=book.id, corrections__isnull=True)
        .order_by("recorded_at", "pk")
        .first()
    )
    if earlier is not None:
        raise ValidationError(
            _(
                "申請 %(request)s の持出しは既に記録されています（記録番号 %(entry)s）。"
                "内容を直す場合は、その記録の訂正として記録してください。"
            )
            % {"request": request.number, "entry": earlier.number}
        )


def now_minute() -> datetime:
    """Now in Japan time, to the minute, as a form's initial 持出日時."""
    return timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)
