"""Departments, people and who holds which role of the pack."""

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """People register of each organisation."""

    name = "kitei.people"
    label = "people"
    verbose_name = "people"

    def ready(self) -> None:
        """Declare the app's audit actions (`kitei.core.audit`) before any page lists them."""
        from kitei.people import choices  # noqa: F401, PLC0415 - registers on import
