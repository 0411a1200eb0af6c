"""`kitei org create|list|upgrade`: site administration of organisations and their packs."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kitei.core.models import Organization


def add_parser(sub: Any) -> None:
    """Register `kitei org`."""
    org = sub.add_parser("org", help="organisations (tenants) and the pack each is bound to")
    cmds = org.add_subparsers(dest="org_command", required=True, metavar="COMMAND")
    create = cmds.add_parser("create", help="create an organisation bound to a pack")
    create.add_argument("--slug", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--pack", required=True, help="pack id or path of pack.yaml")
    cmds.add_parser("list", help="organisations with the pack version each runs")
    upgrade = cmds.add_parser("upgrade", help="bind an organisation to the current pack file")
    upgrade.add_argument("--org", required=True, help="organisation identifier (slug)")
    upgrade.add_argument("--pack", help="pack id or path (default: the shipped pack)")


def named_organization(slug: str | None) -> Organization | None:
    """The organisation a command's --org names (None when omitted); LookupError if none has it."""
    from kitei.core.models import Organization  # noqa: PLC0415 - Django is set up by now

    if not slug:
        return None
    found = Organization.objects.filter(slug=slug).first()
    if found is None:
        raise LookupError(f"no organisation '{slug}'")
    return found


def run(args: argparse.Namespace) -> int:
    """Run one `kitei org` subcommand; returns the exit code."""
    from django.core.exceptions import ValidationError  # noqa: PLC0415 - Django is set up by now
    from django.db import IntegrityError  # noqa: PLC0415

    from kitei.core import access  # noqa: PLC0415
    from kitei.core.models import Organization  # noqa: PLC0415
    from kitei.core.services import create_organization, upgrade_pack  # noqa: PLC0415
    from kitei.policy import PackError  # noqa: PLC0415

    try:
        if args.org_command == "create":
            org = create_organization(
                actor=access.Operator.from_os("kitei org create"),
                slug=args.slug,
                name=args.name,
                pack=args.pack,
            )
            print(f"kitei: {org.slug} created on {org.pack_id} {org.pack_version}")
        elif args.org_command == "list":
            for org in Organization.objects.order_by("slug"):
                print(
                    f"{org.slug}\t{org.pack_id}\t{org.pack_version}\t{org.pack_digest}\t{org.name}"
                )
        else:
            found = Organization.objects.filter(slug=args.org).first()
            if found is None:
                raise ValueError(f"no organisation '{args.org}'")
            before = found.pack_digest
            upgrade_pack(
                found,
                actor=access.Operator.from_os("kitei org upgrade"),
                pack=args.pack or found.pack_id,
            )
            after = found.pack_digest
            change = "unchanged" if before == after else f"{before} → {after}"
            print(f"kitei: {found.slug} on {found.pack_id} {found.pack_version} ({change})")
    except PackError as exc:
        print(f"kitei: {exc.errors[0]}", file=sys.stderr)
        return 2
    except (ValueError, ValidationError, IntegrityError) as exc:
        print(f"kitei: {exc}", file=sys.stderr)
        return 2
    return 0
