"""The home page's line of findings: open findings the user owns (as 管理者)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from kitei.audits import queries
from kitei.core import access
from kitei.core.models import Organization
from kitei.core.registry import HomeItem
from kitei.people.models import Person


def waiting_items(request: HttpRequest, org: Organization, person: Person) -> list[HomeItem]:
    """The open findings the user owns (the list /audits/findings/?mine=1), and the
    horizontal checks the user has to answer (/audits/findings/?asked=1)."""
    items = []
    count = queries.owned_open(org, person).count()
    if count:
        items.append(
            HomeItem(
                key="findings",
                title=_("あなたが所管する監査の指摘事項"),
                count=count,
                url=reverse("audits:findings") + "?mine=1",
            )
        )
    asked = queries.checks_awaiting(org, person).count()
    if asked:
        items.append(
            HomeItem(
                key="horizontal",
                title=_("横展開の確認（同種の問題の有無）の回答待ち"),
                count=asked,
                url=reverse("audits:findings") + "?asked=1",
            )
        )
    if access.check(request.user, "audits.receive_report", org).allowed:
        issued = queries.awaiting_receipt(org).count()
        if issued:
            items.append(
                HomeItem(
                    key="audit-reports",
                    title=_("受領を記録していない監査報告書"),
                    count=issued,
                    url=reverse("audits:programmes") + "?state=issued",
                )
            )
    return items
