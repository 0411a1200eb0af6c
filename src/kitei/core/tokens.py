"""API tokens: issue, revoke and check the keys people send as `Authorization: Bearer …`.

A token is `kitei_` and 43 random URL-safe characters (256 bits). Only its SHA-256 is
stored: the token is high-entropy, so a fast hash cannot be brute-forced, and a stolen
database yields no usable key. The token itself is returned once, by `create_api_token`.

Every token expires: after the period its organisation set (`set_token_lifetime`), else
after kitei's operational default of `DEFAULT_LIFETIME_DAYS` days (no policy seed gives a
period). A token is issued and works only for an account that has finished its security
set-up: its temporary password changed, and TOTP set up when `access.requires_mfa`.
"""

from __future__ import annotations

import copy
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core import access, tenancy
from kitei.core.choices import CoreAuditAction
from kitei.core.models import ApiToken, ApiTokenLifetime, Organization
from kitei.core.services import Actor, record_change

TOKEN_PREFIX = "kitei_"
PREFIX_SHOWN = len(TOKEN_PREFIX) + 6
# last_used_at is bookkeeping like Django's last_login (no ChangeRecord); writing it at
# most once a minute keeps a busy client from turning every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# kitei's operational default, not a policy number: no seed gives a token lifetime, so an
# organisation that sets none gets this, shown as 「kitei の既定値」 (docs/operations.md).
DEFAULT_LIFETIME_DAYS = 90
MAX_LIFETIME_DAYS = 3650


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _snapshot(token: ApiToken) -> dict[str, object]:
    return {
        "user": token.user.get_username(),
        "name": token.name,
        "prefix": token.prefix,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
    }


@dataclass(frozen=True, kw_only=True)
class Lifetime:
    """How long an organisation's new tokens live, and whether that is kitei's default."""

    days: int
    is_default: bool

    @property
    def label(self) -> str:
        """`90日（kitei の既定値）` or `30日（組織の設定）`."""
        if self.is_default:
            return _("%(days)d日（kitei の既定値）") % {"days": self.days}
        return _("%(days)d日（組織の設定）") % {"days": self.days}


def token_lifetime(organization: Organization) -> Lifetime:
    """The period the organisation set for new tokens, else kitei's default."""
    row = ApiTokenLifetime.objects.filter(organization=organization).first()
    if row is None:
        return Lifetime(days=DEFAULT_LIFETIME_DAYS, is_default=True)
    return Lifetime(days=row.days, is_default=False)


@transaction.atomic
def set_token_lifetime(organization: Organization, *, actor: Actor, days: int | None) -> Lifetime:
    """Set how many days the organisation's new tokens live (None: back to kitei's default).

    Tokens already issued keep their expiry. Organisation administrators (people.manage).
    """
    access.require(actor, "people.manage", organization)
    if days is not None and not 1 <= days <= MAX_LIFETIME_DAYS:
        raise ValidationError(
            _("APIトークンの有効期間は1日から%(max)d日の間で指定してください。")
            % {"max": MAX_LIFETIME_DAYS}
        )
    before = token_lifetime(organization)
    if days is None:
        ApiTokenLifetime.objects.filter(organization=organization).delete()
    else:
        ApiTokenLifetime.objects.update_or_create(
            organization=organization, defaults={"days": days}
        )
    after = token_lifetime(organization)
    record_change(
        organization,
        actor=actor,
        action=CoreAuditAction.SET_API_TOKEN_LIFETIME,
        obj=organization,
        before={"days": before.days, "default": before.is_default},
        after={"days": after.days, "default": after.is_default},
    )
    return after


def setup_refusal(user: Any, membership: Any) -> TokenCheck | None:
    """Why `user`, acting under `membership`, may not use an API token yet (None: may).

    A temporary password must be changed first, and TOTP set up by whoever must have it
    (`access.requires_mfa`: administrators, administrative roles, external auditors).
    """
    if membership.person.must_change_password:
        return TokenCheck(
            token=None,
            code="password_change_required",
            reason=_(
                "仮パスワードのままです。画面からログインしてパスワードを変更してから"
                "APIトークンを利用してください。"
            ),
            status=403,
        )
    # Judge on a copy bound to the membership, leaving the caller's user object as it was.
    acting = copy.copy(user)
    tenancy.bind(acting, membership)
    if (
        access.requires_mfa(acting)
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    ):
        who = _("この所属（外部監査人）") if membership.requires_totp else _("この利用者")
        return TokenCheck(
            token=None,
            code="mfa_required",
            reason=_(
                "%(who)sは二要素認証（TOTP）が必須です。"
                "画面からログインして二要素認証を設定してからAPIトークンを利用してください。"
            )
            % {"who": who},
            status=403,
        )
    return None


def _token_organization(user: User, organization: Organization | None) -> Organization:
    """The organisation a new token acts in: the named one, or the user's only membership.

    The user's membership there must be valid today.
    """
    if organization is not None:
        if tenancy.membership_in(user, organization.pk) is not None:
            return organization
        lapsed = tenancy.lapsed_membership(user, organization.pk)
        if lapsed is not None:
            raise ValidationError(tenancy.lapse_message(lapsed))
        raise ValidationError(
            _("「%(user)s」は組織「%(org)s」に所属していません。")
            % {"user": user.get_username(), "org": organization.slug}
        )
    valid = tenancy.valid_memberships(user)
    if len(valid) > 1:
        slugs = "、".join(m.organization.slug for m in valid)
        raise ValidationError(
            _(
                "「%(user)s」は複数の組織（%(orgs)s）に所属しています。組織を指定してください（--org）。"
            )
            % {"user": user.get_username(), "orgs": slugs}
        )
    if not valid:
        raise ValidationError(_("組織に属していない利用者にはAPIトークンを発行できません。"))
    return valid[0].organization  # type: ignore[no-any-return]  # a membership's organisation


def _expiry(organization: Organization, expires_at: datetime | None) -> datetime:
    """The expiry of a new token: the one asked for, within the organisation's period."""
    now = timezone.now()
    lifetime = token_lifetime(organization)
    latest = now + timedelta(days=lifetime.days)
    if expires_at is None:
        return latest
    if expires_at <= now:
        raise ValidationError(_("有効期限は未来の日時にしてください。"))
    if expires_at > latest:
        raise ValidationError(
            _("有効期限は発行から%(lifetime)s以内にしてください。") % {"lifetime": lifetime.label}
        )
    return expires_at


@transaction.atomic
def create_api_token(
    user: User,
    *,
    actor: Actor,
    organization: Organization | None = None,
    name: str = "",
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token acting as `user` in one organisation; returns it with its only copy.

    The organisation is the one named, or the user's only valid membership's; the token
    works only while the user's membership there is valid, and until `expires_at` (by
    default: the organisation's token lifetime from now). The user must have finished
    their security set-up (`setup_refusal`).
    """
    organization = _token_organization(user, organization)
    verdict = access.check_account(actor, user, "people.manage", organization)
    if not verdict.allowed:
        raise access.Refusal(verdict)
    if not user.is_active:
        raise ValidationError(_("無効なアカウントにはAPIトークンを発行できません。"))
    refused = setup_refusal(user, tenancy.membership_in(user, organization.pk))
    if refused is not None:
        raise ValidationError(refused.reason)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organization=organization,
        user=user,
        name=name,
        prefix=plain[:PREFIX_SHOWN],
        token_hash=hash_token(plain),
        expires_at=_expiry(organization, expires_at),
    )
    record_change(
        organization,
        actor=actor,
        action=CoreAuditAction.CREATE_API_TOKEN,
        obj=token,
        after=_snapshot(token),
    )
    return token, plain


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: Actor) -> ApiToken:
    """Stop a token from working, for good; revoking twice changes nothing.

    The token's own user may revoke it, and so may whoever manages the organisation's people.
    """
    verdict = access.check_account(actor, token.user, "people.manage", token.organization)
    if not verdict.allowed:
        raise access.Refusal(verdict)
    if token.revoked_at is not None:
        return token
    before = _snapshot(token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_change(
        token.organization,
        actor=actor,
        action=CoreAuditAction.REVOKE_API_TOKEN,
        obj=token,
        before=before,
        after=_snapshot(token),
    )
    return token


def tokens_of(user: Any, organization: Organization) -> QuerySet[ApiToken]:
    """A user's tokens in one organisation, newest first (revoked and expired ones too)."""
    mine = ApiToken.objects.select_related("organization").filter(user=user)
    return access.scoped(mine, organization).order_by("-created_at", "-pk")


@dataclass(frozen=True, kw_only=True)
class TokenCheck:
    """The outcome of checking a presented token: the token, or the reason it is refused."""

    token: ApiToken | None
    # missing, invalid, revoked, expired, inactive, membership_lapsed, mfa_required,
    # password_change_required
    code: str = ""
    reason: str = ""
    status: int = 401  # 403 when the token is good but its user may not act in its organisation


def check_api_token(plain: str) -> TokenCheck:
    """Look a presented token up by its hash and say whether it may act.

    A token acts in its organisation through its user's membership there, which must be
    valid today; that membership is made the user's active one (`tenancy.bind`).
    """
    if not plain:
        return TokenCheck(token=None, code="missing", reason=_("APIトークンがありません。"))
    token = (
        ApiToken.objects.select_related("organization", "user")
        .filter(token_hash=hash_token(plain))
        .first()
    )
    now = timezone.now()
    if token is None:
        return TokenCheck(token=None, code="invalid", reason=_("APIトークンが正しくありません。"))
    if token.revoked_at is not None:
        return TokenCheck(token=None, code="revoked", reason=_("APIトークンは失効しています。"))
    if token.expires_at is not None and token.expires_at <= now:
        return TokenCheck(
            token=None, code="expired", reason=_("APIトークンの有効期限が切れています。")
        )
    refused = _membership_refusal(token)
    if refused is not None:
        return refused
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return TokenCheck(token=token)


def _membership_refusal(token: ApiToken) -> TokenCheck | None:
    """Bind the token user's membership in the token's organisation, or say why it cannot act."""
    membership = (
        tenancy.membership_in(token.user, token.organization_id) if token.user.is_active else None
    )
    if membership is None:
        lapsed = tenancy.lapsed_membership(token.user, token.organization_id)
        if token.user.is_active and lapsed is not None:
            return TokenCheck(
                token=None,
                code="membership_lapsed",
                reason=tenancy.lapse_message(lapsed),
                status=403,
            )
        return TokenCheck(
            token=None,
            code="inactive",
            reason=_("APIトークンの利用者はこの組織で有効ではありません。"),
        )
    tenancy.bind(token.user, membership)
    # Read the user's role assignments once: requires_mfa needs them, and so may the operation.
    access.start_request_cache(token.user)
    return setup_refusal(token.user, membership)
