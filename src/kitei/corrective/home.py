"""The home page's line of corrective actions: the user's open ones, and those overdue."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core.models import Organization
from kitei.core.registry import HomeItem
from kitei.corrective import queries
from kitei.people.models import Person


def waiting_items(request: HttpRequest, org: Organization, person: Person) -> list[HomeItem]:
    """The user's own open corrective actions (the list ?scope=mine&open=1), and the overdue."""
    mine = queries.listed(org, request.user, person, queries.MINE, open_only=True).count()
    if not mine:
        return []
    url = reverse("corrective:list") + "?scope=mine&open=1"
    items = [HomeItem(key="corrective", title=_("あなたが担当する是正措置"), count=mine, url=url)]
    today = timezone.localdate()
    overdue = queries.listed(org, request.user, person, queries.MINE, overdue_on=today).count()
    if overdue:
        items.append(
            HomeItem(
                key="corrective-overdue",
                title=_("うち期限を過ぎたもの"),
                count=overdue,
                url=reverse("corrective:list") + "?scope=mine&overdue=1",
                urgent=True,
                within="corrective",
            )
        )
    return items
