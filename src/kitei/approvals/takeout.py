"""What a take-out request (持ち出し, `asset.take_out`) must say before anyone approves it.

Where to (持出先), what for (目的), from when (持出予定日時) and until when (返却予定日) are
part of the request: the approvers see them on the request page, in their inbox, in the
e-mail and over the API, and the 持出記録 entry is filled from them once approved. They are
model fields of `Request` rather than a JSON document: the database types them, lists can
sort and filter on the dates, and the admin, the API schema and the audit snapshot read
them like any other column. Other actions leave them blank, and may not send them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

TAKE_OUT_ACTIONS = frozenset({"asset.take_out"})
"""The canonical actions whose requests are take-outs (shared/policy-actions.md)."""

MAX_DESTINATION = 200
MAX_PURPOSE = 4000


def is_take_out(action: str) -> bool:
    """Whether requests of the action carry the take-out's destination, purpose and dates."""
    return action in TAKE_OUT_ACTIONS


def local_moment(moment: datetime) -> datetime:
    """A moment in Japan time (a naive moment is taken as Japan time)."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment)


def check_dates(take_out_at: datetime | None, return_on: date | None) -> None:
    """Refuse a return planned before the day of the take-out (the same day is allowed)."""
    if take_out_at is None or return_on is None:
        return
    out = local_moment(take_out_at)
    if return_on < out.date():
        raise ValidationError(
            _("返却予定日（%(back)s）が持出予定日時（%(out)s）より前です。")
            % {"back": return_on.isoformat(), "out": out.strftime("%Y-%m-%d %H:%M")},
            code="return_before_take_out",
        )


@dataclass(frozen=True, kw_only=True)
class TakeOutPlan:
    """The take-out as the applicant plans it; `checked()` says what is missing or wrong."""

    destination: str = ""
    purpose: str = ""
    take_out_at: datetime | None = None
    return_on: date | None = None

    @property
    def given(self) -> bool:
        """Whether any part of a take-out was given."""
        return bool(
            self.destination.strip()
            or self.purpose.strip()
            or self.take_out_at is not None
            or self.return_on is not None
        )

    def columns(self) -> dict[str, object]:
        """The plan as the request's columns (`Request.destination` …)."""
        return {
            "destination": self.destination,
            "purpose": self.purpose,
            "planned_take_out_at": self.take_out_at,
            "planned_return_on": self.return_on,
        }

    def checked(self) -> TakeOutPlan:
        """The plan with its text trimmed; a Japanese ValidationError naming what is wrong."""
        plan = replace(self, destination=self.destination.strip(), purpose=self.purpose.strip())
        missing = [
            title
            for title, value in (
                (_("持出先"), plan.destination),
                (_("目的"), plan.purpose),
                (_("持出予定日時"), plan.take_out_at),
                (_("返却予定日"), plan.return_on),
            )
            if not value
        ]
        if missing:
            raise ValidationError(
                _("持ち出しの申請には次の項目が必要です：%s") % "、".join(missing),
                code="take_out_missing",
            )
        if len(plan.destination) > MAX_DESTINATION or len(plan.purpose) > MAX_PURPOSE:
            raise ValidationError(
                _("持出先は%(dest)d文字以内、目的は%(purpose)d文字以内で入力してください。")
                % {"dest": MAX_DESTINATION, "purpose": MAX_PURPOSE}
            )
        if plan.take_out_at is not None:
            plan = replace(plan, take_out_at=local_moment(plan.take_out_at))
        check_dates(plan.take_out_at, plan.return_on)
        return plan


def plan_for(action: str, plan: TakeOutPlan | None) -> TakeOutPlan | None:
    """The checked plan of a take-out request; None for other actions (which may send none)."""
    if is_take_out(action):
        return (plan or TakeOutPlan()).checked()
    if plan is not None and plan.given:
        raise ValidationError(
            _("持出先・目的・持出予定日時・返却予定日は、持ち出しの申請にだけ記入します。"),
            code="take_out_not_applicable",
        )
    return None
