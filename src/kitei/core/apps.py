"""The core app: organisations (tenants), the audit trail, access decisions."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Core of kitei: Organization, ChangeRecord, access.py."""

    name = "kitei.core"
    label = "core"
    verbose_name = "kitei core"

    def ready(self) -> None:
        """The audit checkpoint is the periodic job `core.audit_checkpoint`."""
        from kitei.core import choices  # noqa: F401, PLC0415 - registers on import
        from kitei.core.audit_objects import register as register_audit  # noqa: PLC0415
        from kitei.core.checkpoint import periodic_checkpoint  # noqa: PLC0415 - app registry
        from kitei.core.jobs import PeriodicJob, register_periodic  # noqa: PLC0415

        register_periodic(
            PeriodicJob(
                name="core.audit_checkpoint",
                title="監査証跡のチェックポイントを設定した送り先（KITEI_CHECKPOINT_*）に書く",
                run=periodic_checkpoint,
            )
        )
        register_audit()  # how the audit trail names and links its objects
