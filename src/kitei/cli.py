"""The `kitei` command: the one entry point for every kitei tool."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kitei import __version__
from kitei.core import cli as web_cli
from kitei.policy import cli as policy_cli


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand registered."""
    parser = argparse.ArgumentParser(prog="kitei", description="kitei (規程)")
    parser.add_argument("--version", action="version", version=f"kitei {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    policy_cli.add_parser(sub)
    web_cli.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run one command; returns the process exit code."""
    args = build_parser().parse_args(argv)
    if args.command == "policy":
        return policy_cli.run(args)
    return web_cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
