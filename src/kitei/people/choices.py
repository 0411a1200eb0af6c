"""Choices of the people app: the kinds of membership a user holds in an organisation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MembershipKind(models.TextChoices):
    """In what capacity a user belongs to an organisation.

    Neutral labels: what each kind may do comes from the pack's roles, not from the kind.
    The one rule kitei attaches to a kind is its own: an external auditor's membership is
    time-boxed (it needs an end date) and needs TOTP.
    """

    MEMBER = "member", _("職員等")
    EXTERNAL_AUDITOR = "external_auditor", _("外部監査人")
    SUPPORT = "support", _("支援団体（情報セキュリティクラウド等）")
