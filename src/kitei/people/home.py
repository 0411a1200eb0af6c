"""What the home page shows of the people register: members kitei cannot mail.

Registered with `kitei.core.registry` by `PeopleConfig.ready`.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.models import Organization
from kitei.core.registry import HomeItem
from kitei.people import queries
from kitei.people.models import Person


def waiting_items(request: HttpRequest, org: Organization, person: Person) -> list[HomeItem]:
    """For those who keep the register: people without an e-mail address (never notified)."""
    if not access.check(request.user, "people.manage", org).allowed:
        return []
    count = access.scoped(Person.objects.filter(queries.without_address()), org).count()
    return [
        HomeItem(
            key="no-address",
            title=_("メールアドレスが登録されていない職員"),
            count=count,
            url=reverse("people:list") + "?address=missing",
            note=_("申請・承認・返却期限のお知らせが届きません。"),
        )
    ]
