"""Template context: the organisation the user acts in, their record there, the switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kitei.core.tenancy import organization_of, person_of


def organization(request: HttpRequest) -> dict[str, Any]:
    """`current_org`, `current_person`, `memberships` (valid today) and whether the account
    still has its temporary password, for every template."""
    memberships = getattr(request, "kitei_memberships", [])
    return {
        "current_org": organization_of(request.user),
        "current_person": person_of(request.user),
        "memberships": memberships,
        "must_change_password": any(m.person.must_change_password for m in memberships),
    }
