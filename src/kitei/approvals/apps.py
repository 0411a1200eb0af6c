"""Requests for regulated actions, routed by the pack's decision."""

from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    """申請と承認."""

    name = "kitei.approvals"
    label = "approvals"
    verbose_name = "申請・承認"

    def ready(self) -> None:
        """Declare the app's audit actions (`kitei.core.audit`) before any page lists them."""
        from kitei.approvals import choices  # noqa: F401, PLC0415 - registers on import
