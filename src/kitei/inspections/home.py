"""What the home page shows of self-inspection: questionnaires waiting on the user.

Registered with `kitei.core.registry` by `InspectionsConfig.ready`; each count is the query
of the list its link opens (`queries.waiting_for`, `queries.to_review`).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.models import Organization
from kitei.core.registry import HomeItem
from kitei.inspections import queries
from kitei.people.models import Person


def waiting_items(request: HttpRequest, org: Organization, person: Person) -> list[HomeItem]:
    """Questionnaires the user answers (not yet submitted) and those they review."""
    if not access.check(request.user, "inspections.view", org).allowed:
        return []
    items = []
    answer = queries.waiting_for(person).count()
    if answer:
        items.append(
            HomeItem(
                key="inspections-answer",
                title=_("回答待ちの点検票"),
                count=answer,
                url=reverse("inspections:mine") + "#answer",
            )
        )
    review = queries.to_review(person).count()
    if review:
        items.append(
            HomeItem(
                key="inspections-review",
                title=_("確認待ちの点検票"),
                count=review,
                url=reverse("inspections:mine") + "#review",
            )
        )
    return items
