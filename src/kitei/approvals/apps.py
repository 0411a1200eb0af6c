"""Requests for regulated actions, routed by the pack's decision."""

from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    """申請と承認."""

    name = "kitei.approvals"
    label = "approvals"
    verbose_name = "申請・承認"

    def ready(self) -> None:
        """Requests still waiting are reminded by the periodic job `approvals.remind_pending`.

        The home page shows the requests waiting on the user and the requests card.
        """
        from kitei.approvals import choices  # noqa: F401, PLC0415 - registers on import
        from kitei.approvals.audit_objects import register as register_audit  # noqa: PLC0415
        from kitei.approvals.home import requests_card, waiting_items  # noqa: PLC0415
        from kitei.approvals.reminders import remind_all  # noqa: PLC0415 - app registry
        from kitei.core.jobs import PeriodicJob, register_periodic  # noqa: PLC0415
        from kitei.core.registry import register_figure, register_home_item  # noqa: PLC0415

        register_periodic(
            PeriodicJob(
                name="approvals.remind_pending",
                title="承認待ちの申請を、その段階の承認者にメールで再通知する",
                run=remind_all,
            )
        )
        register_audit()  # how the audit trail names and links its objects
        register_home_item("approvals", waiting_items, order=10)
        register_figure("approvals", requests_card, order=10)
