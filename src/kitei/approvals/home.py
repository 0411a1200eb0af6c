"""What the home page shows of requests: those waiting on the user, and the requests card.

Registered with `kitei.core.registry` by `ApprovalsConfig.ready`.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.approvals import extensions, queries
from kitei.core import access
from kitei.core.models import Organization
from kitei.core.registry import HomeFigure, HomeItem
from kitei.people.models import Person

RECEIVE_REPORT = "exceptions.receive_report"


def waiting_items(request: HttpRequest, org: Organization, person: Person) -> list[HomeItem]:
    """Requests whose current step the user decides; 事後報告 the user is to receive."""
    if not access.check(request.user, "requests.view", org).allowed:
        return []
    inbox = reverse("approvals:inbox")
    items = [
        HomeItem(
            key="inbox",
            title=_("あなたの承認を待っている申請"),
            count=queries.inbox_for(person).count(),
            url=inbox,
        )
    ]
    # 002 8-4(2): an emergency exception is reported afterwards to the CISO, who receives it.
    reports = extensions.reports_awaited(org)
    if reports is not None and access.check(request.user, RECEIVE_REPORT, org).allowed:
        items.append(
            HomeItem(
                key="reports",
                title=_("受領を待っている事後報告（緊急時の例外措置）"),
                count=reports.count(),
                url=f"{inbox}#reports",
            )
        )
    return items


def requests_card(request: HttpRequest, org: Organization) -> HomeFigure | None:
    """The card of requests and record books: the user's own open requests, overdue returns."""
    person = access.person_of(request.user)
    if not access.check(request.user, "requests.view", org).allowed or not isinstance(
        person, Person
    ):
        return None
    figures: dict[str, object] = {
        "open_requests": queries.requests_of(person).filter(state__in=queries.OPEN_STATES).count(),
        "overdue_returns": None,
    }
    if access.check(request.user, "records.view", org).allowed:
        today = timezone.localdate()
        figures["overdue_returns"] = extensions.overdue_returns(org, today)
    return HomeFigure(key="requests", template="approvals/_home_requests.html", context=figures)
