"""How the people register's objects appear in the audit trail (kitei.core.audit_display)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kitei.core.audit_display import Terms, register_object
from kitei.people import queries
from kitei.people.models import Department, Person, RoleAssignment


def _terms(organization: Any) -> Terms:
    """Role ids in the pack's words (ciso → 最高情報セキュリティ責任者)."""
    return Terms(values={"role": queries.role_titles(organization)})


def _assignment_name(assignment: RoleAssignment) -> str:
    titles = queries.role_titles(assignment.organization)
    role = titles.get(assignment.role_id, assignment.role_id)
    return f"{assignment.person.name}：{role}"


def register() -> None:
    """Name and link people (their page), departments and role assignments (the person's)."""
    register_object(
        Person,
        read="people.view",
        url=lambda p: reverse("people:detail", args=[p.pk]),
        terms=_terms,
    )
    register_object(
        Department,
        read="people.view",
        url=lambda d: reverse("people:list") + f"?department={d.pk}",
    )
    register_object(
        RoleAssignment,
        read="people.view",
        url=lambda a: reverse("people:detail", args=[a.person_id]),
        name=_assignment_name,
        related=("person", "organization", "system"),
        terms=_terms,
    )
