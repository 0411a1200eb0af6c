"""Read-only Django admin views of the people register for site administrators.

Changes go through the services (and so the audit trail); the admin only shows rows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kitei.people.models import Department, Membership, Person, RoleAssignment


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # generic over several models
    """Lists and shows rows; adding, changing and deleting happen only through services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    """Departments of every organisation."""

    list_display = ("name", "organization")
    list_filter = ("organization",)
    search_fields = ("name",)


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    """People of every organisation."""

    list_display = ("name", "organization", "department", "user", "is_org_admin")
    list_filter = ("organization", "is_org_admin")
    list_select_related = ("organization", "department", "user")
    search_fields = ("name", "user__username")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    """Memberships of every organisation, ended ones included (`kitei membership` changes them)."""

    list_display = ("person", "user", "organization", "kind", "valid_from", "valid_until")
    list_filter = ("organization", "kind")
    list_select_related = ("person", "user", "organization")
    search_fields = ("person__name", "user__username")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    """Role assignments of every organisation, ended ones included."""

    list_display = (
        "person",
        "role_id",
        "department",
        "system",
        "deputy_for",
        "valid_from",
        "valid_until",
        "organization",
    )
    list_filter = ("organization", "role_id")
    list_select_related = ("person", "department", "system", "deputy_for", "organization")
