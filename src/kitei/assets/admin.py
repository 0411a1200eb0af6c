"""Read-only Django admin view of the information asset register for site administrators.

Changes go through the services (and so the audit trail); the admin only shows rows.
"""

from __future__ import annotations

from django.contrib import admin

from kitei.assets.models import Asset
from kitei.people.admin import ReadOnlyAdmin


@admin.register(Asset)
class AssetAdmin(ReadOnlyAdmin):
    """Assets of every organisation."""

    list_display = ("name", "organization", "department", "form", "classification_status")
    list_filter = ("organization", "form", "classification_status")
    list_select_related = ("organization", "department")
    search_fields = ("name",)
