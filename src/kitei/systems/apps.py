"""情報システム台帳: the information system register."""

from django.apps import AppConfig


class SystemsConfig(AppConfig):
    """Information systems, their zones and the software they run."""

    name = "kitei.systems"
    label = "systems"
    verbose_name = "情報システム台帳"

    def ready(self) -> None:
        """Declare the app's audit actions (`kitei.core.audit`) before any page lists them."""
        from kitei.systems import choices  # noqa: F401, PLC0415 - registers on import
