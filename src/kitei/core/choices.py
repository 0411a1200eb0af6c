"""Choices of the core app: the audit actions its services record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.core import audit


@audit.actions
class CoreAuditAction(models.TextChoices):
    """What core's services write to the audit trail (values are stored; never change one)."""

    CREATE_ORGANIZATION = "create_organization", _("組織の作成")
    UPGRADE_PACK = "upgrade_pack", _("ポリシーパックの版の更新")
    CREATE_API_TOKEN = "create_api_token", _("APIトークンの発行")
    REVOKE_API_TOKEN = "revoke_api_token", _("APIトークンの失効")
    SET_API_TOKEN_LIFETIME = "set_api_token_lifetime", _("APIトークンの有効期間の設定")
    ATTACH_EVIDENCE = "attach_evidence", _("証拠ファイルの添付")
    START_IMPORT = "start_import", _("バックグラウンドの取り込みの開始")
    FINISH_IMPORT = "finish_import", _("バックグラウンドの取り込みの終了")
    SWITCH_ORGANIZATION = "switch_organization", _("作業する組織の切替え")
