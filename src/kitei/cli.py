"""The `kitei` command: the one entry point for every kitei tool."""

from __future__ import annotations

import argparse
import os
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
    try:
        if args.command == "policy":
            return policy_cli.run(args)
        return web_cli.run(args)
    except BrokenPipeError:
        # The reader went away (`kitei policy explain … | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
