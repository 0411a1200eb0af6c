"""情報システム台帳: the information system register."""

from django.apps import AppConfig


class SystemsConfig(AppConfig):
    """Information systems, their zones and the software they run."""

    name = "kitei.systems"
    label = "systems"
    verbose_name = "情報システム台帳"

    def ready(self) -> None:
        """Long files of the 情報システム台帳 are imported by a background task.

        The home page shows the systems the user manages that run unsupported software.
        """
        from kitei.core.imports import register_import  # noqa: PLC0415
        from kitei.core.registry import register_home_item  # noqa: PLC0415
        from kitei.systems import choices  # noqa: F401, PLC0415 - registers on import
        from kitei.systems.audit_objects import register as register_audit  # noqa: PLC0415
        from kitei.systems.home import waiting_items  # noqa: PLC0415
        from kitei.systems.import_task import KIND  # noqa: PLC0415 - needs the app registry

        register_import(KIND)
        register_home_item("systems", waiting_items, order=30)
        register_audit()  # how the audit trail names and links its objects
