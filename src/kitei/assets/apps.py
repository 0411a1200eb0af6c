"""情報資産台帳: the information asset register."""

from django.apps import AppConfig


class AssetsConfig(AppConfig):
    """Information assets and their classification."""

    name = "kitei.assets"
    label = "assets"
    verbose_name = "情報資産台帳"

    def ready(self) -> None:
        """Long files of the 情報資産台帳 are imported by a background task.

        The home page shows the registers' card (assets by class and department, systems).
        """
        from kitei.assets import choices  # noqa: F401, PLC0415 - registers on import
        from kitei.assets.audit_objects import register as register_audit  # noqa: PLC0415
        from kitei.assets.home import registers_card  # noqa: PLC0415
        from kitei.assets.import_task import KIND  # noqa: PLC0415 - needs the app registry
        from kitei.core.imports import register_import  # noqa: PLC0415
        from kitei.core.registry import register_figure  # noqa: PLC0415

        register_import(KIND)
        register_audit()  # how the audit trail names and links its objects
        register_figure("registers", registers_card, order=20)
