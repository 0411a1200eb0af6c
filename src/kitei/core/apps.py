"""The core app: organisations (tenants), the audit trail, access decisions."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Core of kitei: Organization, ChangeRecord, access.py."""

    name = "kitei.core"
    label = "core"
    verbose_name = "kitei core"
