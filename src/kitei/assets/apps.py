"""情報資産台帳: the information asset register."""

from django.apps import AppConfig


class AssetsConfig(AppConfig):
    """Information assets and their classification."""

    name = "kitei.assets"
    label = "assets"
    verbose_name = "情報資産台帳"
