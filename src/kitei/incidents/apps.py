"""Incidents: the pack's reporting chain resolved to people, triage and a timeline."""

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    """インシデント."""

    name = "kitei.incidents"
    label = "incidents"
    verbose_name = "インシデント"

    def ready(self) -> None:
        """Declares the audit actions, names the models in the audit trail, adds home items."""
        from kitei.core.registry import register_home_item  # noqa: PLC0415 - app registry
        from kitei.incidents import choices  # noqa: F401, PLC0415 - registers on import
        from kitei.incidents.audit_objects import register as register_audit  # noqa: PLC0415
        from kitei.incidents.home import waiting_items  # noqa: PLC0415

        register_audit()
        register_home_item("incidents", waiting_items, order=15)
