"""The `kitei` command: the one entry point for every kitei tool.

It sits above every app: `kitei.policy` and `kitei.core` contribute their own commands, and
each app contributes its commands through a module in `APP_COMMANDS` (an `add_parser(sub)`,
a `run(args)` and the `COMMANDS` it adds), so no lower layer imports a higher one.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from kitei import __version__
from kitei.assets import commands as assets_commands
from kitei.audits import cli as audits_cli
from kitei.core import cli as web_cli
from kitei.duties import cli as duties_cli
from kitei.incidents import commands as incidents_commands
from kitei.inspections import cli as inspections_cli
from kitei.people import commands as people_commands
from kitei.people import membership_cli
from kitei.policy import cli as policy_cli
from kitei.records import cli as records_cli
from kitei.systems import commands as systems_commands

APP_COMMANDS: tuple[ModuleType, ...] = (
    people_commands,
    membership_cli,
    assets_commands,
    systems_commands,
    records_cli,
    audits_cli,
    duties_cli,
    incidents_commands,
    inspections_cli,
)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand registered."""
    parser = argparse.ArgumentParser(prog="kitei", description="kitei (規程)")
    parser.add_argument("--version", action="version", version=f"kitei {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    policy_cli.add_parser(sub)
    web_cli.add_parsers(sub)
    for module in APP_COMMANDS:
        module.add_parser(sub)
    return parser


def _app_command(command: str) -> ModuleType | None:
    return next((m for m in APP_COMMANDS if command in m.COMMANDS), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run one command; returns the process exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "policy":
            return policy_cli.run(args)
        if args.command == "demo":
            web_cli.setup()
            from kitei.demo import demo_command  # noqa: PLC0415 - needs Django set up

            return demo_command(args)
        module = _app_command(args.command)
        if module is not None:
            web_cli.setup()
            result: int = module.run(args)
            return result
        return web_cli.run(args)
    except BrokenPipeError:
        # The reader went away (`kitei policy explain … | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
