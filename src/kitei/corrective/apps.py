"""Corrective actions (是正・改善措置) raised by incidents, violations, inspections and audits."""

from django.apps import AppConfig


class CorrectiveConfig(AppConfig):
    """是正・改善措置."""

    name = "kitei.corrective"
    label = "corrective"
    verbose_name = "是正・改善措置"

    def ready(self) -> None:
        """Declares the audit actions, names the models in the audit trail, lets actions take
        completion evidence and shows the user's open actions on the home page."""
        from kitei.core.evidence import register_supported  # noqa: PLC0415 - app registry
        from kitei.core.registry import register_home_item  # noqa: PLC0415
        from kitei.corrective import choices  # noqa: F401, PLC0415 - registers on import
        from kitei.corrective.audit_objects import register as register_audit  # noqa: PLC0415
        from kitei.corrective.home import waiting_items  # noqa: PLC0415
        from kitei.corrective.models import CorrectiveAction  # noqa: PLC0415
        from kitei.corrective.queries import user_may_view  # noqa: PLC0415

        # An action's files are read by whoever may see the action, not every member.
        register_supported(
            CorrectiveAction,
            read="corrective.view",
            attach="corrective.view",
            visible=user_may_view,
        )
        register_audit()
        register_home_item("corrective", waiting_items, order=40)
