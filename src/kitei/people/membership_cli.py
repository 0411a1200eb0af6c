"""`kitei membership add|end|list`: which accounts belong to an organisation, and until when.

Errors are one line on standard error with exit code 2; nothing is written then.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from kitei.core.cli import add_as

COMMANDS = ("membership",)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def add_parser(sub: Any) -> None:
    """Register `kitei membership`."""
    parser = sub.add_parser(
        "membership", help="memberships: accounts that belong to an organisation, for a period"
    )
    cmds = parser.add_subparsers(dest="membership_command", required=True, metavar="COMMAND")
    add = cmds.add_parser("add", help="let an existing account belong to an organisation")
    add.add_argument("--org", required=True, help="organisation identifier (slug)")
    add.add_argument("--user", required=True, help="login name of an existing account")
    add.add_argument(
        "--kind",
        default="member",
        help="member (職員等), external_auditor (外部監査人: needs --until), support (支援団体)",
    )
    add.add_argument("--from", dest="valid_from", type=_date, help="first day (default: today)")
    add.add_argument("--until", dest="valid_until", type=_date, help="last day (YYYY-MM-DD)")
    add.add_argument("--name", default="", help="氏名 in this organisation (default: as elsewhere)")
    add.add_argument(
        "--create-account",
        action="store_true",
        help="create the account (needs --name) when no account has this login name; "
        "its temporary password is printed once",
    )
    add_as(add)
    end = cmds.add_parser("end", help="end the account's current membership of an organisation")
    end.add_argument("--org", required=True, help="organisation identifier (slug)")
    end.add_argument("--user", required=True, help="login name")
    end.add_argument("--on", type=_date, help="its last valid day (default: today)")
    add_as(end)
    listing = cmds.add_parser("list", help="the organisation's memberships, ended ones too")
    listing.add_argument("--org", required=True, help="organisation identifier (slug)")


def run(args: argparse.Namespace) -> int:
    """Run one `kitei membership` subcommand; returns the exit code."""
    from django.core.exceptions import ValidationError  # noqa: PLC0415 - Django is set up by now

    from kitei.core import access  # noqa: PLC0415
    from kitei.core.models import Organization  # noqa: PLC0415

    organization = Organization.objects.filter(slug=args.org).first()
    if organization is None:
        print(f"kitei: no organisation '{args.org}'", file=sys.stderr)
        return 2
    if args.membership_command == "list":
        return _list(organization)
    try:
        actor = access.cli_actor(
            organization, args.as_user, f"kitei membership {args.membership_command}"
        )
        if args.membership_command == "add":
            return _add(organization, actor, args)
        return _end(organization, actor, args)
    except (access.UnknownOperatorError, access.Refusal) as exc:
        print(f"kitei: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        print(f"kitei: {' '.join(exc.messages)}", file=sys.stderr)
        return 2


def _account(username: str) -> Any:
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.core.exceptions import ValidationError  # noqa: PLC0415

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ValidationError(f"アカウント「{username}」はありません。")
    return user


def _add(organization: Any, actor: Any, args: argparse.Namespace) -> int:
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    from kitei.people.memberships import add_membership  # noqa: PLC0415

    if args.create_account and not get_user_model().objects.filter(username=args.user).exists():
        return _create_account(organization, actor, args)
    membership = add_membership(
        organization,
        actor=actor,
        user=_account(args.user),
        kind=args.kind,
        valid_from=args.valid_from,
        valid_until=args.valid_until,
        name=args.name,
    )
    until = membership.valid_until.isoformat() if membership.valid_until else "no end"
    print(
        f"kitei: {args.user} is a member of {organization.slug} as {membership.kind} "
        f"from {membership.valid_from} until {until}"
    )
    return 0


def _create_account(organization: Any, actor: Any, args: argparse.Namespace) -> int:
    """A new account whose only membership is this one; its temporary password printed once."""
    from django.core.exceptions import ValidationError  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from kitei.people.services import create_person, temporary_password  # noqa: PLC0415

    if not args.name:
        raise ValidationError("新しいアカウントには氏名（--name）が必要です。")
    password = temporary_password()
    start = args.valid_from or timezone.localdate()
    create_person(
        organization,
        actor=actor,
        name=args.name,
        username=args.user,
        password=password,
        membership=args.kind,
        member_from=start,
        member_until=args.valid_until,
    )
    until = args.valid_until.isoformat() if args.valid_until else "no end"
    print(password)
    print(
        f"kitei: account {args.user} created in {organization.slug} as {args.kind} from "
        f"{start} until {until}; its temporary password is shown only this once and must be "
        "changed at first login",
        file=sys.stderr,
    )
    return 0


def _end(organization: Any, actor: Any, args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from kitei.core import tenancy  # noqa: PLC0415
    from kitei.people.memberships import end_membership  # noqa: PLC0415

    on = args.on or timezone.localdate()
    user = _account(args.user)
    current = tenancy.membership_in(user, organization.pk, on=on)
    if current is None:
        raise ValidationError(
            f"「{args.user}」には、組織「{organization.slug}」で{on.isoformat()}に有効な所属がありません。"
        )
    end_membership(organization, actor=actor, membership=current, on=on)
    print(f"kitei: {args.user}'s membership of {organization.slug} ends on {on.isoformat()}")
    return 0


def _list(organization: Any) -> int:
    from django.utils import timezone  # noqa: PLC0415

    from kitei.people.queries import membership_rows, memberships  # noqa: PLC0415

    for row in membership_rows(memberships(organization), timezone.localdate()):
        m = row.membership
        print(
            "\t".join(
                [
                    m.user.get_username(),
                    m.person.name,
                    m.kind,
                    m.valid_from.isoformat() if m.valid_from else "-",
                    m.valid_until.isoformat() if m.valid_until else "-",
                    row.status,
                ]
            )
        )
    return 0
