"""`kitei audit verify|checkpoint`: the hash chain, its guards and checkpoints kept elsewhere.

Higher layers add subcommands through `register_subcommand` (`package`, `verify-package`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kitei.core.org_cli import named_organization

# Subcommands of `kitei audit` contributed by higher layers (the audits app's `package` and
# `verify-package`): name → (add its parser to the subparsers, run it). Registered at import
# by the app's CLI module, which kitei.cli imports before building the parser.
_EXTRA: dict[str, tuple[Callable[[Any], None], Callable[[argparse.Namespace], int]]] = {}


def register_subcommand(
    name: str, add: Callable[[Any], None], run: Callable[[argparse.Namespace], int]
) -> None:
    """Add `kitei audit NAME` from a higher layer (its parser and its runner)."""
    _EXTRA[name] = (add, run)


def add_parser(sub: Any) -> None:
    """Register `kitei audit`."""
    audit = sub.add_parser("audit", help="the audit trail")
    cmds = audit.add_subparsers(dest="audit_command", required=True, metavar="COMMAND")
    verify = cmds.add_parser("verify", help="verify the hash chain (and checkpoints)")
    verify.add_argument("--org", help="organisation identifier (slug); all when omitted")
    verify.add_argument(
        "--checkpoint",
        type=Path,
        metavar="FILE",
        help="also check that the chain still holds every checkpoint in FILE",
    )
    checkpoint = cmds.add_parser(
        "checkpoint", help="write every chain head, signed, to be kept outside the database"
    )
    checkpoint.add_argument("--out", type=Path, metavar="FILE", help="append to FILE")
    checkpoint.add_argument("--syslog", action="store_true", help="send to syslog")
    checkpoint.add_argument(
        "--mail", action="append", default=[], metavar="ADDRESS", help="mail to ADDRESS (the CISO)"
    )
    for add, _run in _EXTRA.values():
        add(cmds)


def run(args: argparse.Namespace) -> int:
    """Run one `kitei audit` subcommand; returns the exit code."""
    from kitei.core.checkpoint import CheckpointError  # noqa: PLC0415 - Django is set up by now

    extra = _EXTRA.get(args.audit_command)
    if extra is not None:
        return extra[1](args)
    try:
        if args.audit_command == "checkpoint":
            return _checkpoint(args)
        return _verify(args)
    except (CheckpointError, LookupError) as exc:
        print(f"kitei: {exc.args[0]}", file=sys.stderr)
        return exc.exit_code if isinstance(exc, CheckpointError) else 2


def _verify(args: argparse.Namespace) -> int:
    """The chain (and its guards, and the checkpoints): 0, or 1 with one line per problem."""
    from kitei.core.checkpoint import check_checkpoints, checkpoint_key  # noqa: PLC0415
    from kitei.core.services import verify_audit_chain  # noqa: PLC0415

    org = named_organization(args.org)
    if args.checkpoint is not None:
        checkpoint_key()  # a missing key is refused before anything is read
    result = verify_audit_chain(org)
    failed = not result.ok
    if result.ok:
        print(f"kitei: audit chain holds ({result.checked} records)")
    else:
        print(f"kitei: audit chain broken: {result.problem}", file=sys.stderr)
    failed = _missing_guards() or failed
    if args.checkpoint is not None:
        report = check_checkpoints(args.checkpoint, organization=org)
        for who, problem in report.problems.items():
            print(f"kitei: checkpoint broken: {who}: {problem}", file=sys.stderr)
        if report.ok:
            print(
                f"kitei: checkpoints hold ({report.checked} checkpoints of "
                f"{report.organizations} organisations in {args.checkpoint})"
            )
        failed = failed or not report.ok
    return 1 if failed else 0


def _checkpoint(args: argparse.Namespace) -> int:
    """Write the checkpoint where asked (else where configured, else to standard output)."""
    from kitei.core.checkpoint import Destinations, write_checkpoint  # noqa: PLC0415

    destinations = Destinations(out=args.out, syslog=args.syslog, mail=tuple(args.mail))
    if not destinations:
        destinations = Destinations.configured() or Destinations(stream=sys.stdout)
    written = write_checkpoint(destinations)
    where = [
        *([str(destinations.out)] if destinations.out else []),
        *(["syslog"] if destinations.syslog else []),
        *destinations.mail,
    ]
    if where:
        print(f"kitei: checkpoint of {len(written)} audit chains written to {', '.join(where)}")
    return 1 if _missing_guards() else 0


def _missing_guards() -> bool:
    """Name the audit guards missing from the database on one line; True when any is."""
    from kitei.core import guards  # noqa: PLC0415

    missing = guards.absent()
    if missing:
        print(
            f"kitei: audit guards missing or disabled: {', '.join(missing)} "
            "(the database was changed outside kitei)",
            file=sys.stderr,
        )
    return bool(missing)
