"""`kitei evidence verify`: re-hash every stored evidence file against the database."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kitei.core.org_cli import named_organization


def add_parser(sub: Any) -> None:
    """Register `kitei evidence`."""
    evidence = sub.add_parser("evidence", help="evidence files (証拠ファイル)")
    cmds = evidence.add_subparsers(dest="evidence_command", required=True, metavar="COMMAND")
    verify = cmds.add_parser(
        "verify", help="re-hash every stored file; exit 1 on any missing or altered"
    )
    verify.add_argument("--org", help="organisation identifier (slug); all when omitted")


def run(args: argparse.Namespace) -> int:
    """Run `kitei evidence verify`: 0 when every file holds, 1 naming each that does not."""
    from kitei.core.evidence import verify_evidence  # noqa: PLC0415 - Django is set up by now

    try:
        org = named_organization(args.org)
    except LookupError as exc:
        print(f"kitei: {exc.args[0]}", file=sys.stderr)
        return 2
    result = verify_evidence(org)
    for failure in result.failures:
        found = failure.evidence
        print(
            f"kitei: {failure.problem}: evidence #{found.pk} {found.original_name!r} of "
            f"{found.organization.slug}, stored as {found.file.name}",
            file=sys.stderr,
        )
    if result.ok:
        print(f"kitei: every evidence file holds ({result.checked} files)")
        return 0
    print(
        f"kitei: {len(result.failures)} of {result.checked} evidence files are missing or altered",
        file=sys.stderr,
    )
    return 1
