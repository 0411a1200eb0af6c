"""情報資産台帳: the information asset register."""

from django.apps import AppConfig


class AssetsConfig(AppConfig):
    """Information assets and their classification."""

    name = "kitei.assets"
    label = "assets"
    verbose_name = "情報資産台帳"

    def ready(self) -> None:
        """Declare the app's audit actions (`kitei.core.audit`) before any page lists them."""
        from kitei.assets import choices  # noqa: F401, PLC0415 - registers on import
