"""Choices of the assets app: the audit actions its services record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.core import audit


@audit.actions
class AssetAuditAction(models.TextChoices):
    """What the asset register writes to the audit trail (values are stored; never change one)."""

    REGISTER_ASSET = "register_asset", _("情報資産の登録")
    UPDATE_ASSET = "update_asset", _("情報資産の変更")
    CLASSIFY_ASSET = "classify_asset", _("情報資産の分類")
    SET_MEDIUM_CONTENTS = "set_medium_contents", _("記録媒体の収録資産の設定")
    DISPOSE_ASSET = "dispose_asset", _("情報資産の廃棄済みの記録")
