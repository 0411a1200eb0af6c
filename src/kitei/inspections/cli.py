"""`kitei inspection …`: the inspection items of an organisation's pack, campaigns, roll-ups.

Bad input (unknown organisation, scope, fiscal year) is one line on standard error and exit
code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kitei.policy.model_controls import CONTROL_SCOPES

COMMANDS = ("inspection",)


def add_parser(sub: Any) -> None:
    """Register `kitei inspection`."""
    inspection = sub.add_parser("inspection", help="self-inspection (自己点検)")
    cmds = inspection.add_subparsers(dest="inspection_command", required=True, metavar="COMMAND")
    items = cmds.add_parser("items", help="the inspection items of the organisation's pack")
    items.add_argument("org", help="organisation identifier (slug, as `kitei org list` prints)")
    items.add_argument("--scope", help=f"one of: {', '.join(CONTROL_SCOPES)}")
    items.add_argument("--json", action="store_true", required=True)


def run(args: argparse.Namespace) -> int:
    """Run one `kitei inspection` subcommand; returns the exit code."""
    from kitei.core.models import Organization  # noqa: PLC0415 - Django is set up by now
    from kitei.inspections.items import controls_of, item_json, pack_of  # noqa: PLC0415

    org = Organization.objects.filter(slug=args.org).first()
    if org is None:
        print(f"kitei: no organisation '{args.org}'", file=sys.stderr)
        return 2
    pack = pack_of(org)
    try:
        controls = controls_of(pack, args.scope)
    except ValueError as exc:
        print(f"kitei: {exc}", file=sys.stderr)
        return 2
    json.dump([item_json(pack, c) for c in controls], sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0
