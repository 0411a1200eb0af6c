"""Record books the policy requires, typed by the pack."""

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """記録簿."""

    name = "kitei.records"
    label = "records"
    verbose_name = "記録簿"
