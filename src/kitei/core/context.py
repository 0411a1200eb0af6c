"""Template context: the current user's organisation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kitei.core.access import organization_of


def organization(request: HttpRequest) -> dict[str, Any]:
    """`current_org` for every template."""
    return {"current_org": organization_of(request.user)}
