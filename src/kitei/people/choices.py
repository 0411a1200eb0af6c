"""Choices of the people app: its services' audit actions, and the kinds of membership."""

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
    ADD_MEMBERSHIP = "add_membership", _("所属の追加")
    END_MEMBERSHIP = "end_membership", _("所属の終了")
    UPDATE_PERSON = "update_person", _("職員の変更")
    CHANGE_PASSWORD = "change_password", _("パスワードの変更")
    ADD_AUTHENTICATOR = "add_authenticator", _("二要素認証の設定")
    REMOVE_AUTHENTICATOR = "remove_authenticator", _("二要素認証の解除")
    RESET_AUTHENTICATOR = "reset_authenticator", _("リカバリーコードの再発行")


class MembershipKind(models.TextChoices):
    """In what capacity a user belongs to an organisation.

    Neutral labels: what each kind may do comes from the pack's roles, not from the kind.
    The one rule kitei attaches to a kind is its own: an external auditor's membership is
    time-boxed (it needs an end date) and needs TOTP.
    """

    MEMBER = "member", _("職員等")
    EXTERNAL_AUDITOR = "external_auditor", _("外部監査人")
    SUPPORT = "support", _("支援団体（情報セキュリティクラウド等）")
