"""The home page's lines of 「あなたの対応待ち」: the user's duties due and overdue this year."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.models import Organization
from kitei.core.numbering import fiscal_year
from kitei.core.registry import HomeItem
from kitei.duties import queries, schedule
from kitei.duties.choices import OccurrenceState


def due_items(request: HttpRequest, organization: Organization, person: Any) -> Iterator[HomeItem]:
    """The person's open occurrences this fiscal year, and those past their due date."""
    if person is None or not access.check(request.user, "duties.view", organization):
        return
    calendar = schedule.compute(organization, fiscal_year(timezone.localdate()), person=person.pk)
    base = reverse("duties:calendar")
    for state, key, title, urgent in (
        (queries.DUE, "duties.due", _("担当する年度の義務（実施期間中・期限超過）"), False),
        (OccurrenceState.OVERDUE, "duties.overdue", _("担当する年度の義務の期限超過"), True),
    ):
        filters = queries.Filters(state=str(state), person=person.pk)
        count = len(queries.narrowed(calendar.occurrences, filters))
        if count:
            yield HomeItem(
                key=key,
                title=title,
                count=count,
                url=f"{base}?year={calendar.year}&state={state}&person={person.pk}",
                urgent=urgent,
                within="duties.due" if urgent else "",
            )
