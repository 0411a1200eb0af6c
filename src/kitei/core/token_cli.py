"""`kitei token create|revoke|list|lifetime`: the command-line side of API tokens."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Django is set up only once a command runs (`kitei.core.cli.setup`)
    from django.db.models import QuerySet

    from kitei.core.models import ApiToken, Organization


def add_parser(sub: Any) -> None:
    """Register `kitei token`."""
    token = sub.add_parser("token", help="API tokens (Authorization: Bearer …)")
    cmds = token.add_subparsers(dest="token_command", required=True, metavar="COMMAND")
    create = cmds.add_parser("create", help="issue a token for a user; printed only once")
    create.add_argument("--user", required=True, help="login name")
    create.add_argument(
        "--org", help="organisation the token acts in (needed when the user belongs to several)"
    )
    create.add_argument("--name", default="", help="what the token is for")
    create.add_argument(
        "--days",
        type=int,
        help="expire after DAYS days (default and maximum: the organisation's token lifetime)",
    )
    revoke = cmds.add_parser("revoke", help="revoke a token, or every token of a user")
    revoke.add_argument("--id", type=int, help="the token's number (see `kitei token list`)")
    revoke.add_argument("--user", help="revoke every token of this user")
    token_list = cmds.add_parser("list", help="list tokens (never the tokens themselves)")
    token_list.add_argument("--user", help="only this user's tokens")
    lifetime = cmds.add_parser(
        "lifetime", help="show or set how many days an organisation's new tokens live"
    )
    lifetime.add_argument("--org", required=True, help="organisation identifier (slug)")
    choice = lifetime.add_mutually_exclusive_group()
    choice.add_argument("--days", type=int, help="new tokens expire after DAYS days")
    choice.add_argument("--default", action="store_true", help="go back to kitei's default period")


def token_command(args: argparse.Namespace) -> int:
    """Run one `kitei token` subcommand; returns the exit code (errors: one line, 2)."""
    from django.core.exceptions import ValidationError  # noqa: PLC0415 - Django is set up now
    from django.utils import timezone  # noqa: PLC0415

    from kitei.core.models import ApiToken  # noqa: PLC0415

    try:
        if args.token_command == "create":
            return _create(args)
        if args.token_command == "lifetime":
            return _lifetime(args)
    except (LookupError, ValidationError) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc.args[0])
        print(f"kitei: {text}", file=sys.stderr)
        return 2
    tokens = ApiToken.objects.select_related("user", "organization").order_by("pk")
    if args.user:
        tokens = tokens.filter(user__username=args.user)
    if args.token_command == "list":
        now = timezone.now()
        for t in tokens:
            if t.revoked:
                state = "revoked"
            elif t.expires_at is not None and t.expires_at <= now:
                state = f"expired {t.expires_at:%Y-%m-%d %H:%M}"
            else:
                state = f"expires {t.expires_at or 'never'}"
            print(f"{t.pk}\t{t.prefix}…\t{t.user.get_username()}\t{t.organization.slug}\t{state}")
        return 0
    return _revoke(args, tokens)


def _organization(slug: str | None) -> Organization | None:
    from kitei.core.models import Organization  # noqa: PLC0415 - Django is set up now

    if not slug:
        return None
    found = Organization.objects.filter(slug=slug).first()
    if found is None:
        raise LookupError(f"no organisation '{slug}'")
    return found


def _create(args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model  # noqa: PLC0415 - Django is set up now
    from django.core.exceptions import ValidationError  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from kitei.core import access  # noqa: PLC0415
    from kitei.core.tokens import create_api_token  # noqa: PLC0415

    user = get_user_model().objects.filter(username=args.user).first()
    if user is None:
        raise LookupError(f"no user '{args.user}'")
    if args.days is not None and args.days < 1:
        raise ValidationError(
            "--days は1以上で指定してください（無期限のトークンは発行しません）。"
        )
    expires = timezone.now() + timedelta(days=args.days) if args.days else None
    token, plain = create_api_token(
        user,
        actor=access.Operator.from_os("kitei token create"),
        organization=_organization(args.org),
        name=args.name,
        expires_at=expires,
    )
    print(plain)
    print(
        f"kitei: token {token.pk} ({token.prefix}…) for '{args.user}' in "
        f"{token.organization.slug}, expires {token.expires_at:%Y-%m-%d %H:%M}; "
        "it is shown only this once",
        file=sys.stderr,
    )
    return 0


def _lifetime(args: argparse.Namespace) -> int:
    from kitei.core import access  # noqa: PLC0415 - Django is set up now
    from kitei.core.tokens import set_token_lifetime, token_lifetime  # noqa: PLC0415

    organization = _organization(args.org)
    assert organization is not None  # --org is required
    if args.days is not None or args.default:
        lifetime = set_token_lifetime(
            organization,
            actor=access.Operator.from_os("kitei token lifetime"),
            days=None if args.default else args.days,
        )
    else:
        lifetime = token_lifetime(organization)
    print(f"{organization.slug}\t{lifetime.label}")
    return 0


def _revoke(args: argparse.Namespace, tokens: QuerySet[ApiToken]) -> int:
    from kitei.core import access  # noqa: PLC0415 - Django is set up now
    from kitei.core.tokens import revoke_api_token  # noqa: PLC0415

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
