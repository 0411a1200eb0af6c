"""`kitei inspection …`: inspection items, campaigns, roll-ups and the Excel round trip.

    kitei inspection items ORG [--scope SCOPE] --json
    kitei inspection start ORG --duty DUTY --year YEAR [--scope SCOPE …]
    kitei inspection rollup ORG CAMPAIGN --json
    kitei inspection export ORG QUESTIONNAIRE FILE.xlsx
    kitei inspection import ORG QUESTIONNAIRE FILE.xlsx --as USERNAME [--dry-run]

Bad input (unknown organisation, scope, duty, campaign, a bad file) is reported on standard
error and the exit code is 2: one line, or one line per row error of a file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
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
    start = cmds.add_parser("start", help="start a fiscal year's campaign from a pack duty")
    start.add_argument("org")
    start.add_argument("--duty", required=True, help="periodic duty id (kitei policy show)")
    start.add_argument("--year", required=True, type=int, help="fiscal year (2026 = 令和8年度)")
    start.add_argument("--scope", action="append", help="scope to cover (repeatable)")
    rollup = cmds.add_parser("rollup", help="a campaign's answer counts")
    rollup.add_argument("org")
    rollup.add_argument("campaign", type=int)
    rollup.add_argument("--json", action="store_true", required=True)
    export = cmds.add_parser("export", help="a questionnaire as .xlsx")
    export.add_argument("org")
    export.add_argument("questionnaire", type=int)
    export.add_argument("file", type=Path)
    load = cmds.add_parser("import", help="answers from a filled .xlsx (all or nothing)")
    load.add_argument("org")
    load.add_argument("questionnaire", type=int)
    load.add_argument("file", type=Path)
    load.add_argument("--as", dest="as_user", required=True, help="the answering member")
    load.add_argument("--dry-run", action="store_true", help="check every row, write nothing")


def run(args: argparse.Namespace) -> int:
    """Run one `kitei inspection` subcommand; returns the exit code."""
    from django.core.exceptions import PermissionDenied, ValidationError  # noqa: PLC0415

    from kitei.core import access  # noqa: PLC0415 - Django is set up by now
    from kitei.core.models import Organization  # noqa: PLC0415

    org = Organization.objects.filter(slug=args.org).first()
    if org is None:
        print(f"kitei: no organisation '{args.org}'", file=sys.stderr)
        return 2
    handlers = {
        "items": _items,
        "start": _start,
        "rollup": _rollup,
        "export": _export,
        "import": _import,
    }
    try:
        return handlers[args.inspection_command](org, args)
    except (ValueError, LookupError, OSError, access.UnknownOperatorError) as exc:
        print(f"kitei: {exc}", file=sys.stderr)
    except ValidationError as exc:
        print(f"kitei: {' '.join(exc.messages)}", file=sys.stderr)
    except PermissionDenied as exc:
        print(f"kitei: {exc}", file=sys.stderr)
    return 2


def _items(org: Any, args: argparse.Namespace) -> int:
    from kitei.inspections.items import controls_of, item_json, pack_of  # noqa: PLC0415

    pack = pack_of(org)
    controls = controls_of(pack, args.scope)
    json.dump([item_json(pack, c) for c in controls], sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


def _start(org: Any, args: argparse.Namespace) -> int:
    from kitei.core import access  # noqa: PLC0415
    from kitei.inspections.generation import start_campaign  # noqa: PLC0415

    campaign = start_campaign(
        org,
        actor=access.Operator.from_os("kitei inspection start"),
        duty_id=args.duty,
        fiscal_year=args.year,
        scopes=args.scope,
    )
    count = campaign.questionnaires.count()
    what = f"{campaign.duty_id} {args.year}, {count} questionnaires"
    print(f"kitei: campaign {campaign.pk} started ({what})")
    return 0


def _campaign(org: Any, pk: int) -> Any:
    from kitei.inspections.models import Campaign  # noqa: PLC0415

    found = Campaign.objects.filter(organization=org, pk=pk).first()
    if found is None:
        raise LookupError(f"no campaign {pk} in '{org.slug}'")
    return found


def _questionnaire(org: Any, pk: int) -> Any:
    from kitei.inspections.models import Questionnaire  # noqa: PLC0415

    found = Questionnaire.objects.filter(organization=org, pk=pk).first()
    if found is None:
        raise LookupError(f"no questionnaire {pk} in '{org.slug}'")
    return found


def _rollup(org: Any, args: argparse.Namespace) -> int:
    from kitei.inspections.queries import rollup_json  # noqa: PLC0415

    json.dump(rollup_json(_campaign(org, args.campaign)), sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


def _export(org: Any, args: argparse.Namespace) -> int:
    from kitei.inspections.excel import export_questionnaire  # noqa: PLC0415

    args.file.write_bytes(export_questionnaire(_questionnaire(org, args.questionnaire)))
    print(f"kitei: written {args.file}")
    return 0


def _import(org: Any, args: argparse.Namespace) -> int:
    from kitei.core import access  # noqa: PLC0415
    from kitei.inspections.excel import import_answers  # noqa: PLC0415

    questionnaire = _questionnaire(org, args.questionnaire)
    data = args.file.read_bytes()
    actor = access.cli_actor(org, args.as_user, "kitei inspection import")
    result = import_answers(questionnaire, data, actor=actor, dry_run=args.dry_run)
    if result.errors:
        for error in result.errors:
            print(f"kitei: {error}", file=sys.stderr)
        return 2
    done = "would change" if args.dry_run else "changed"
    print(f"kitei: no errors; {len(result.changes)} answer(s) {done}")
    return 0
