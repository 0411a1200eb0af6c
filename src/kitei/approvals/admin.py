"""Read-only Django admin views of requests and their approvals for site administrators.

Filing and deciding go through the services (route, entitlement, separation of duties,
audit trail); the admin only shows rows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kitei.approvals.models import Approval, ApprovalStep, Request
from kitei.people.admin import ReadOnlyAdmin


class _ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]  # generic over models
    """Shows related rows; never adds, changes or deletes them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ApprovalStepInline(_ReadOnlyInline):
    """The route of a request."""

    model = ApprovalStep
    fields = ("position", "mode", "roles", "completed_at")


@admin.register(Request)
class RequestAdmin(ReadOnlyAdmin):
    """Requests of every organisation; `overridden` flags 002 2(6)ア exceptions."""

    list_display = (
        "number", "action", "applicant", "state", "effect", "overridden", "organization",
    )  # fmt: skip
    list_filter = ("organization", "state", "effect", "overridden")
    list_select_related = ("applicant", "organization")
    search_fields = ("number", "action", "applicant__name", "reason", "destination")
    inlines = (ApprovalStepInline,)


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    """Verdicts given on steps, deputies and override reasons included."""

    list_display = ("step", "role_id", "approver", "acting_for", "verdict", "override_reason", "at")
    list_filter = ("verdict",)
    list_select_related = ("step", "approver", "acting_for")
