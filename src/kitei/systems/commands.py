"""`kitei systems import|export`: the 情報システム台帳 as .xlsx or CSV from the command line.

The parser is built before Django is set up, so this module imports no models; `run` does.
"""

from __future__ import annotations

import argparse
from typing import Any

from kitei.core.cli import add_register_parsers

COMMANDS = ("systems",)


def add_parser(sub: Any) -> None:
    """Register `kitei systems`."""
    add_register_parsers(sub, "systems", "情報システム台帳")


def run(args: argparse.Namespace) -> int:
    """Run one `kitei systems` subcommand; returns the exit code."""
    from kitei.systems.transfer import command  # noqa: PLC0415 - Django is set up by now

    return command(args)
