"""What the home page shows of incidents: the reports waiting for the user's acknowledgement.

Registered with `kitei.core.registry` by `IncidentsConfig.ready`.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.models import Organization
from kitei.core.registry import HomeItem
from kitei.incidents import queries
from kitei.people.models import Person


def waiting_items(request: HttpRequest, org: Organization, person: Person) -> list[HomeItem]:
    """Incidents with a report sent to the user and not yet acknowledged."""
    if not access.check(request.user, "incidents.view", org).allowed:
        return []
    incidents = queries.filtered(queries.visible(org, request.user), waiting_for=person)
    count = incidents.count()
    if not count:
        return []
    return [
        HomeItem(
            key="incidents.waiting",
            title=_("受領を記録していないインシデントの報告"),
            count=count,
            url=reverse("incidents:list") + "?waiting=me",
            urgent=True,
        )
    ]
