"""Departments, people and who holds which role of the pack."""

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """People register of each organisation."""

    name = "kitei.people"
    label = "people"
    verbose_name = "people"

    def ready(self) -> None:
        """Long files of the 職員名簿 are imported by a background task.

        The register's keepers see on the home page who has no e-mail address.
        """
        from kitei.core.imports import register_import  # noqa: PLC0415
        from kitei.core.registry import register_home_item  # noqa: PLC0415
        from kitei.people import accounts, choices  # noqa: F401, PLC0415 - choices registers
        from kitei.people.audit_objects import register as register_audit  # noqa: PLC0415
        from kitei.people.home import waiting_items  # noqa: PLC0415
        from kitei.people.import_task import KIND  # noqa: PLC0415 - needs the app registry

        register_import(KIND)
        accounts.connect()  # password and two-factor changes enter the audit trail
        register_home_item("people", waiting_items, order=90)
        register_audit()  # how the audit trail names and links its objects
