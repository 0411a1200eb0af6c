"""The core app: organisations (tenants), the audit trail, access decisions."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Core of kitei: Organization, ChangeRecord, access.py."""

    name = "kitei.core"
    label = "core"
    verbose_name = "kitei core"

    def ready(self) -> None:
        """Declare the app's audit actions (`kitei.core.audit`) before any page lists them."""
        from kitei.core import choices  # noqa: F401, PLC0415 - registers on import
