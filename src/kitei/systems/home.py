"""What the home page shows of the system register: systems the user manages past support.

Registered with `kitei.core.registry` by `SystemsConfig.ready`.
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
from kitei.systems import queries
from kitei.systems.filters import SystemFilterSet
from kitei.systems.models import System


def waiting_items(request: HttpRequest, org: Organization, person: Person) -> list[HomeItem]:
    """The systems the user manages that run software past its end of support (002 7-4(1)キ).

    Only for someone named as a system's 情報システム管理者 in the register.
    """
    if not access.check(request.user, "systems.view", org).allowed:
        return []
    if not access.scoped(System.objects.filter(manager=person), org).exists():
        return []
    # The same FilterSet as the list the line links to: the count is that list's length.
    filters = SystemFilterSet({"manager": str(person.pk), "support": "ended"}, organization=org)
    count = queries.systems(filters, timezone.localdate()).count()
    return [
        HomeItem(
            key="systems-ended",
            title=_("サポートが終了したソフトウェアを使っている、あなたが管理する情報システム"),
            count=count,
            url=f"{reverse('systems:list')}?manager={person.pk}&support=ended",
            urgent=True,
        )
    ]
