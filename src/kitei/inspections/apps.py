"""Self-inspection (自己点検) generated from the pack's inspection items."""

from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    """自己点検."""

    name = "kitei.inspections"
    label = "inspections"
    verbose_name = "自己点検"

    def ready(self) -> None:
        """Declares the audit actions, how the audit trail names the app's objects, and the
        home page's lines of questionnaires waiting on the user, and what a finished
        questionnaire proves on the fiscal-year calendar."""
        from kitei.core.evidence import register_supported  # noqa: PLC0415 - app registry
        from kitei.core.registry import register_home_item  # noqa: PLC0415
        from kitei.duties.satisfiers import register_satisfier  # noqa: PLC0415
        from kitei.inspections import choices  # noqa: F401, PLC0415 - registers on import
        from kitei.inspections.audit_objects import register as register_audit  # noqa: PLC0415
        from kitei.inspections.home import waiting_items  # noqa: PLC0415
        from kitei.inspections.models import Questionnaire  # noqa: PLC0415
        from kitei.inspections.satisfies import self_inspections  # noqa: PLC0415

        register_audit()
        # Who attaches is the role holder (checked by the page); the permission is every member's.
        register_supported(Questionnaire, read="inspections.view", attach="inspections.view")
        register_home_item("inspections", waiting_items, order=40)
        register_satisfier("self_inspection", self_inspections)
