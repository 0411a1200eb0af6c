"""Demo work in flight: a request waiting on a 課長, take-outs out and one overdue.

So that the home pages of the demo show what waits on whom (「あなたの対応待ち」): the
organisation's staff member asks to take an asset of the first 課 out; the request waits
on whoever decides its first step (the 課's 情報セキュリティ管理者 where the pack has one);
that approver's own earlier take-out, approved and recorded from its request like every
take-out the pack subjects to approval, is three days past its return date. Where the
approver is the only one who may decide it, they approve it themself under the pack's
separation-of-duties exception with its reason (002 2(6)ア 止むを得ない場合), which the
request shows; a pack without that exception gets no overdue take-out. Organisations whose
pack routes nothing for a take-out get none of this.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from kitei.approvals import queries, routing, services
from kitei.approvals.choices import RequestState
from kitei.approvals.models import Request
from kitei.approvals.takeout import TakeOutPlan
from kitei.assets.models import Asset, ClassificationStatus
from kitei.core import access
from kitei.core.models import Organization
from kitei.core.services import Actor
from kitei.people.models import Department, Person
from kitei.policy import Effect
from kitei.records.books import books_for
from kitei.records.services import record_entry


def _plan(destination: str, purpose: str, days_from_today: int, back_after: int) -> TakeOutPlan:
    """A take-out at 17:30 that many days from today, back `back_after` days later."""
    day = timezone.localdate() + timedelta(days=days_from_today)
    return TakeOutPlan(
        destination=destination,
        purpose=purpose,
        take_out_at=timezone.make_aware(datetime.combine(day, time(17, 30))),
        return_on=day + timedelta(days=back_after),
    )


TONIGHT = ("自宅", "会議資料を仕上げる", 0, 1)
LAST_WEEK = ("市町村職員研修所", "情報セキュリティ研修の講師", -10, 7)  # due three days ago


def _file_take_out(
    org: Organization,
    applicant: Person,
    asset: Asset,
    actor: Actor,
    *,
    plan: TakeOutPlan,
    reason: str = "会議資料を自宅で仕上げるため（翌朝返却）",
) -> Request | None:
    """File the take-out as the applicant, confirming what the decision asks; None if refused."""

    def filed(confirmed: Iterable[str] = ()) -> Request:
        return services.file_request(
            org,
            actor=actor,
            applicant=applicant,
            action="asset.take_out",
            asset=asset,
            reason=reason,
            confirmed_obligations=confirmed,
            take_out=plan,
        )

    try:
        return filed()
    except services.ObligationsUnconfirmed as exc:
        confirmed = [ob_id for ob_id, _text in exc.decision.obligations]
    except ValidationError:
        return None  # forbidden, or nobody to route to: nothing to show
    try:
        return filed(confirmed)
    except ValidationError:
        return None


def _needing_approval(org: Organization, staff: Person, department: Department) -> Asset | None:
    """An electronic asset of the 課 whose take-out the pack leaves to an approver."""
    candidates = Asset.objects.filter(
        organization=org,
        department=department,
        form="electronic",
        classification_status=ClassificationStatus.DECIDED,
    ).order_by("-pk")  # the last registered: not the 職員名簿 at the top of the register
    for asset in candidates:
        request = routing.engine_request(
            applicant=staff, action="asset.take_out", asset=asset, system=None, context={}
        )
        if access.decide(org, request).effect == Effect.APPROVAL_REQUIRED:
            return asset
    return None


def build_activity(org: Organization, *, actor: Actor) -> None:
    """A waiting take-out request of the staff member and the approver's overdue take-out."""
    staff = Person.objects.filter(organization=org, user__username=f"{org.slug}-staff").first()
    first = Department.objects.filter(organization=org).order_by("pk").first()
    if staff is None or first is None:
        return
    asset = _needing_approval(org, staff, first)
    if asset is None:
        return
    request = _file_take_out(org, staff, asset, actor, plan=_plan(*TONIGHT))
    if request is None or request.state != RequestState.PENDING:
        return
    approvers = queries.waiting_on(request)
    book = next((b for b in books_for(org) if b.purpose == "take_out"), None)
    if not approvers or book is None or book.fields_by != "kitei":
        return
    _overdue_take_out(org, approvers[0], asset, book.id, actor)


def _overdue_take_out(
    org: Organization, borrower: Person, asset: Asset, book: str, actor: Actor
) -> None:
    """The approver's own take-out of last week, approved, recorded and not yet returned."""
    reason = "研修資料の持出し（講師として）"
    request = _file_take_out(org, borrower, asset, actor, plan=_plan(*LAST_WEEK), reason=reason)
    if request is None or request.state != RequestState.PENDING:
        return
    deciders = queries.waiting_on(request)
    if not deciders:
        return  # nobody may decide it (no exception for the applicant): no overdue take-out
    approver = deciders[0]
    override = "課内に他の承認者がいないため（デモ）" if approver.pk == borrower.pk else ""
    services.approve_request(request, actor=actor, approver=approver, override_reason=override)
    entry = record_entry(
        org, actor=actor, book=book, recorded_by=borrower, fields={}, request=request
    )
    assert entry.person == borrower
