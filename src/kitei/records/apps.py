"""Record books the policy requires, typed by the pack."""

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """記録簿."""

    name = "kitei.records"
    label = "records"
    verbose_name = "記録簿"

    def ready(self) -> None:
        """Entries take evidence files (e.g. a 廃棄 certificate): book readers read them.

        Overdue take-outs are reminded by the periodic job `records.remind_overdue_returns`.
        Also declares the app's audit actions (`kitei.core.audit`) and shows the user's own
        take-outs still out on the home page; plugs the books into requests
        (`kitei.approvals.extensions`).
        """
        from kitei.approvals import extensions  # noqa: PLC0415 - app registry
        from kitei.core.evidence import register_supported  # noqa: PLC0415
        from kitei.core.jobs import PeriodicJob, register_periodic  # noqa: PLC0415
        from kitei.core.registry import register_home_item  # noqa: PLC0415
        from kitei.records import choices, for_requests  # noqa: F401, PLC0415 - choices registers
        from kitei.records.audit_objects import register as register_audit  # noqa: PLC0415
        from kitei.records.home import waiting_items  # noqa: PLC0415
        from kitei.records.models import RecordEntry  # noqa: PLC0415
        from kitei.records.notifications import remind_all_overdue  # noqa: PLC0415

        register_supported(RecordEntry, read="records.view", attach="records.write")
        register_periodic(
            PeriodicJob(
                name="records.remind_overdue_returns",
                title="返却予定日を過ぎた持ち出しを本人にメールで知らせる",
                run=remind_all_overdue,
            )
        )
        register_audit()  # how the audit trail names and links its objects
        register_home_item("records", waiting_items, order=20)
        extensions.register(
            after_filing=for_requests.after_filing,
            reports_awaited=for_requests.reports_awaited,
            request_records=for_requests.request_records,
            overdue_returns=for_requests.overdue_returns,
        )
