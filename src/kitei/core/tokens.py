"""API tokens: issue, revoke and check the keys people send as `Authorization: Bearer …`.

A token is `kitei_` and 43 random URL-safe characters (256 bits). Only its SHA-256 is
stored: the token is high-entropy, so a fast hash cannot be brute-forced, and a stolen
database yields no usable key. The token itself is returned once, by `create_api_token`.
"""

from __future__ import annotations

import argparse
import hashlib
import secrets
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from kitei.core import access, tenancy
from kitei.core.choices import CoreAuditAction
from kitei.core.models import ApiToken, Organization
from kitei.core.services import Actor, record_change

TOKEN_PREFIX = "kitei_"
PREFIX_SHOWN = len(TOKEN_PREFIX) + 6
# last_used_at is bookkeeping like Django's last_login (no ChangeRecord); writing it at
# most once a minute keeps a busy client from turning every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


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
            f"「{user.get_username()}」は組織「{organization.slug}」に所属していません。"
        )
    valid = tenancy.valid_memberships(user)
    if len(valid) > 1:
        slugs = "、".join(m.organization.slug for m in valid)
        raise ValidationError(
            f"「{user.get_username()}」は複数の組織（{slugs}）に所属しています。"
            "組織を指定してください（--org）。"
        )
    if not valid:
        raise ValidationError("組織に属していない利用者にはAPIトークンを発行できません。")
    return valid[0].organization  # type: ignore[no-any-return]  # a membership's organisation


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
    works only while the user's membership there is valid.
    """
    organization = _token_organization(user, organization)
    if not user.is_active:
        raise ValidationError("無効なアカウントにはAPIトークンを発行できません。")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError("有効期限は未来の日時にしてください。")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organization=organization,
        user=user,
        name=name,
        prefix=plain[:PREFIX_SHOWN],
        token_hash=hash_token(plain),
        expires_at=expires_at,
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
    """Stop a token from working, for good; revoking twice changes nothing."""
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


@dataclass(frozen=True, kw_only=True)
class TokenCheck:
    """The outcome of checking a presented token: the token, or the reason it is refused."""

    token: ApiToken | None
    code: str = ""  # missing, invalid, revoked, expired, inactive, membership_lapsed, mfa_required
    reason: str = ""
    status: int = 401  # 403 when the token is good but its user may not act in its organisation


def check_api_token(plain: str) -> TokenCheck:
    """Look a presented token up by its hash and say whether it may act.

    A token acts in its organisation through its user's membership there, which must be
    valid today; that membership is made the user's active one (`tenancy.bind`).
    """
    if not plain:
        return TokenCheck(token=None, code="missing", reason="APIトークンがありません。")
    token = (
        ApiToken.objects.select_related("organization", "user")
        .filter(token_hash=hash_token(plain))
        .first()
    )
    now = timezone.now()
    if token is None:
        return TokenCheck(token=None, code="invalid", reason="APIトークンが正しくありません。")
    if token.revoked_at is not None:
        return TokenCheck(token=None, code="revoked", reason="APIトークンは失効しています。")
    if token.expires_at is not None and token.expires_at <= now:
        return TokenCheck(
            token=None, code="expired", reason="APIトークンの有効期限が切れています。"
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
            reason="APIトークンの利用者はこの組織で有効ではありません。",
        )
    if (
        membership.requires_totp
        and not Authenticator.objects.filter(user=token.user, type=Authenticator.Type.TOTP).exists()
    ):
        return TokenCheck(
            token=None,
            code="mfa_required",
            reason="この所属（外部監査人）では、二要素認証（TOTP）を設定してから利用してください。",
            status=403,
        )
    tenancy.bind(token.user, membership)
    return None


def token_command(args: argparse.Namespace) -> int:
    """`kitei token create|revoke|list`: the command-line side of API tokens."""
    user_model = get_user_model()
    if args.token_command == "create":
        user = user_model.objects.filter(username=args.user).first()
        if user is None:
            print(f"kitei: no user '{args.user}'", file=sys.stderr)
            return 2
        expires = timezone.now() + timedelta(days=args.days) if args.days else None
        try:
            organization = Organization.objects.filter(slug=args.org).first() if args.org else None
            if args.org and organization is None:
                raise ValidationError(f"no organisation '{args.org}'")
            token, plain = create_api_token(
                user,
                actor=access.Operator.from_os("kitei token create"),
                organization=organization,
                name=args.name,
                expires_at=expires,
            )
        except ValidationError as exc:
            print(f"kitei: {' '.join(exc.messages)}", file=sys.stderr)
            return 2
        print(plain)
        print(
            f"kitei: token {token.pk} ({token.prefix}…) for '{args.user}' in "
            f"{token.organization.slug}; it is shown only this once",
            file=sys.stderr,
        )
        return 0
    tokens = ApiToken.objects.select_related("user", "organization").order_by("pk")
    if args.user:
        tokens = tokens.filter(user__username=args.user)
    if args.token_command == "list":
        for t in tokens:
            state = "revoked" if t.revoked else f"expires {t.expires_at or 'never'}"
            print(f"{t.pk}\t{t.prefix}…\t{t.user.get_username()}\t{t.organization.slug}\t{state}")
        return 0
    return _revoke(args, tokens)


def _revoke(args: argparse.Namespace, tokens: QuerySet[ApiToken]) -> int:
    if args.id is None and not args.user:
        print("kitei: name a token (--id) or a user (--user)", file=sys.stderr)
        return 2
    if args.id is not None:
        tokens = tokens.filter(pk=args.id)
    chosen = [t for t in tokens if not t.revoked]
    if not chosen and not tokens.exists():
        print("kitei: no such token", file=sys.stderr)
        return 2
    for token in chosen:
        revoke_api_token(token, actor=access.Operator.from_os("kitei token revoke"))
        print(f"kitei: token {token.pk} ({token.prefix}…) revoked")
    return 0
