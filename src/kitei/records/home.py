"""What the home page shows of the record books: the user's own take-outs still out.

Registered with `kitei.core.registry` by `RecordsConfig.ready`.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.models import Organization
from kitei.core.registry import HomeItem
from kitei.people.models import Person
from kitei.records import queries


def waiting_items(request: HttpRequest, org: Organization, person: Person) -> list[HomeItem]:
    """The user's take-outs not yet returned, and those of them past their return date."""
    if not access.check(request.user, "records.view", org).allowed:
        return []
    out = queries.take_outs_out(org, person=person.pk).count()
    if not out:
        return []  # nothing taken out: the line would only be noise
    overdue = queries.overdue_returns(org, timezone.localdate(), person=person.pk).count()
    mine = f"?person={person.pk}"
    items = [
        HomeItem(
            key="returns",
            title=_("返却していない、あなたの持出し"),
            count=out,
            url=reverse("records:returns") + mine,
        )
    ]
    if overdue:
        items.append(
            HomeItem(
                key="overdue",
                title=_("うち返却予定日を過ぎたもの"),
                count=overdue,
                url=reverse("records:overdue") + mine,
                urgent=True,
                within="returns",
            )
        )
    return items
