"""The Django admin's app configuration: kitei's read-only admin site (admin_site.py)."""

from django.contrib.admin.apps import AdminConfig


class ReadOnlyAdminConfig(AdminConfig):
    """`django.contrib.admin` with `kitei.core.admin_site.ReadOnlyAdminSite` as `admin.site`."""

    default_site = "kitei.core.admin_site.ReadOnlyAdminSite"
