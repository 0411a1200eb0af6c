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
        Also declares the app's audit actions (`kitei.core.audit`).
        """
        from kitei.core.evidence import register_supported  # noqa: PLC0415 - app registry
        from kitei.core.jobs import PeriodicJob, register_periodic  # noqa: PLC0415
        from kitei.records import choices  # noqa: F401, PLC0415 - registers on import
        from kitei.records.audit_objects import register as register_audit  # noqa: PLC0415
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
