"""The home page's card of the registers: assets by class and department, systems.

Registered with `kitei.core.registry` by `AssetsConfig.ready`.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from kitei.assets import queries
from kitei.core import access
from kitei.core.models import Organization
from kitei.core.registry import HomeFigure
from kitei.systems import queries as system_queries
from kitei.systems.models import System


def registers_card(request: HttpRequest, org: Organization) -> HomeFigure | None:
    """Assets by class and department, the number of systems, software past its support."""
    if not access.check(request.user, "assets.view", org).allowed:
        return None
    today = timezone.localdate()
    figures = {
        "asset_counts": queries.counts(org),
        "system_count": access.scoped(System.objects.all(), org).count(),
        "flagged_software": system_queries.flagged_software(org, today),
    }
    return HomeFigure(key="registers", template="assets/_home_registers.html", context=figures)
