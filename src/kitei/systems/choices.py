"""Choices of the systems app: the audit actions its services record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.core import audit


@audit.actions
class SystemAuditAction(models.TextChoices):
    """What the system register writes to the audit trail (values are stored; never change one)."""

    REGISTER_SYSTEM = "register_system", _("情報システムの登録")
    UPDATE_SYSTEM = "update_system", _("情報システムの変更")
    ADD_SOFTWARE = "add_software", _("ソフトウェアの追加")
    UPDATE_SOFTWARE = "update_software", _("ソフトウェアの変更")
