"""Choices of the people app: the audit actions its services record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kitei.core import audit


@audit.actions
class PeopleAuditAction(models.TextChoices):
    """What the people services write to the audit trail (values are stored; never change one)."""

    CREATE_DEPARTMENT = "create_department", _("部署の作成")
    CREATE_PERSON = "create_person", _("職員の登録")
    ASSIGN_ROLE = "assign_role", _("役割の割当て")
    END_ASSIGNMENT = "end_assignment", _("役割の割当ての終了")
    CHANGE_TEMPORARY_PASSWORD = "change_temporary_password", _("仮パスワードの変更")
    UNLOCK_ACCOUNT = "unlock_account", _("アカウントのロックの解除")
    IMPORT_PEOPLE = "import_people", _("職員名簿の取込み")
