"""`kitei people import|export|unlock`: the people register from the server's command line.

The parser is built before Django is set up, so this module imports no models; `run` does,
once the top-level `kitei` command has set Django up.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kitei.core.cli import add_as

COMMANDS = ("people",)


def add_parser(sub: Any) -> None:
    """Register `kitei people`."""
    people = sub.add_parser("people", help="the people register")
    people_cmds = people.add_subparsers(dest="people_command", required=True, metavar="COMMAND")
    import_ = people_cmds.add_parser("import", help="import people from a CSV or .xlsx file")
    import_.add_argument("--org", required=True, help="organisation identifier (slug)")
    import_.add_argument(
        "file", type=Path, help="CSV (UTF-8 or Shift_JIS) or .xlsx with Japanese headings"
    )
    import_.add_argument("--dry-run", action="store_true", help="check only; write nothing")
    add_as(import_)
    import_.add_argument(
        "--create-departments", action="store_true", help="create departments not yet registered"
    )
    export = people_cmds.add_parser(
        "export", help="write the people register in the import's format (台帳番号 first)"
    )
    export.add_argument("--org", required=True, help="organisation identifier (slug)")
    export.add_argument("file", type=Path, help="the .xlsx or .csv file to write")
    export.add_argument("--format", choices=("xlsx", "csv"), help="default: from the file name")
    unlock = people_cmds.add_parser(
        "unlock", help="lift an account's failed-login lock (入力回数制限); recorded"
    )
    unlock.add_argument("--org", required=True, help="organisation identifier (slug)")
    unlock.add_argument("username", help="the locked account's login name")
    add_as(unlock)


def run(args: argparse.Namespace) -> int:
    """Run one `kitei people` subcommand; returns the exit code."""
    if args.people_command == "unlock":
        from kitei.people.cli import unlock_command  # noqa: PLC0415 - Django is set up by now

        return unlock_command(args.org, args.username, as_user=args.as_user)
    from kitei.people.csv_import import command  # noqa: PLC0415

    return command(args)
