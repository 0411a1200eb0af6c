"""The fiscal-year calendar of the pack's duties, organisation settings and training."""

from django.apps import AppConfig


class DutiesConfig(AppConfig):
    """年度の義務・実施手順の値・研修."""

    name = "kitei.duties"
    label = "duties"
    verbose_name = "年度の義務"

    def ready(self) -> None:
        """Declares the audit actions, names the models in the audit trail, lets occurrences
        and training sessions take evidence, shows the user's due duties on the home page and
        registers the satisfiers this app knows (record-book entries, training sessions)."""
        from kitei.core.evidence import register_supported  # noqa: PLC0415 - app registry
        from kitei.core.jobs import PeriodicJob, register_periodic  # noqa: PLC0415
        from kitei.core.registry import register_home_item  # noqa: PLC0415
        from kitei.duties import choices, satisfied  # noqa: F401, PLC0415 - registers on import
        from kitei.duties.audit_objects import register as register_audit  # noqa: PLC0415
        from kitei.duties.home import due_items  # noqa: PLC0415
        from kitei.duties.models import DutyOccurrence, TrainingSession  # noqa: PLC0415
        from kitei.duties.reminders import send_all_digests  # noqa: PLC0415

        register_supported(DutyOccurrence, read="duties.view", attach="evidence.attach")
        register_supported(TrainingSession, read="duties.view", attach="training.manage")
        register_audit()
        register_home_item("duties", due_items, order=40)
        register_periodic(
            PeriodicJob(
                name="duties.send_digests",
                title="年度の義務（期限超過・事前通知の期間内）を担当者ごとに1通のメールで知らせる",
                run=send_all_digests,
            )
        )
