"""Read-only Django admin views of the information system register for site administrators.

Changes go through the services (and so the audit trail); the admin only shows rows.
"""

from __future__ import annotations

from django.contrib import admin

from kitei.people.admin import ReadOnlyAdmin
from kitei.systems.models import Software, System


@admin.register(System)
class SystemAdmin(ReadOnlyAdmin):
    """Systems of every organisation."""

    list_display = ("name", "organization", "department", "zone", "is_external_service")
    list_filter = ("organization", "zone", "is_external_service")
    list_select_related = ("organization", "department")
    search_fields = ("name",)


@admin.register(Software)
class SoftwareAdmin(ReadOnlyAdmin):
    """Software of every system, with its end of support."""

    list_display = ("name", "version", "end_of_support", "system")
    list_select_related = ("system",)
    search_fields = ("name", "system__name")
