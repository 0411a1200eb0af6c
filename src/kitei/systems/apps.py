"""情報システム台帳: the information system register."""

from django.apps import AppConfig


class SystemsConfig(AppConfig):
    """Information systems, their zones and the software they run."""

    name = "kitei.systems"
    label = "systems"
    verbose_name = "情報システム台帳"
