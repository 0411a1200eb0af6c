"""`kitei audit package ID out.zip` and `kitei audit verify-package out.zip`.

They join the audit-trail command group (`kitei.core.audit_cli`) through its registry when
kitei.cli imports this module; `kitei audit verify` and `checkpoint` are unchanged.
`verify-package` reads only the ZIP: it works offline on another machine.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path
from typing import Any

from kitei.core import audit_cli

COMMANDS: tuple[str, ...] = ()  # no top-level command: both are `kitei audit` subcommands


def add_parser(sub: Any) -> None:
    """Nothing at the top level (see `_add`)."""


def run(args: argparse.Namespace) -> int:  # pragma: no cover - no top-level command
    """Never called: COMMANDS is empty."""
    return 2


def _fail(message: str) -> int:
    print(f"kitei: {message}", file=sys.stderr)
    return 2


def _add_package(cmds: Any) -> None:
    package = cmds.add_parser("package", help="write a sealed audit's package (ZIP)")
    package.add_argument("audit", metavar="ID", help="the audit's id, or its number with --org")
    package.add_argument("out", type=Path, metavar="OUT.zip")
    package.add_argument("--org", help="organisation identifier (slug), for an audit number")


def _run_package(args: argparse.Namespace) -> int:
    from kitei.audits.models import Audit  # noqa: PLC0415 - Django is set up by now
    from kitei.audits.seal import write_package  # noqa: PLC0415
    from kitei.core.evidence import EvidenceUnavailableError  # noqa: PLC0415
    from kitei.core.org_cli import named_organization  # noqa: PLC0415

    rows = Audit.objects.select_related("organization")
    try:
        if args.org:
            organization = named_organization(args.org)
            audit = rows.filter(organization=organization, number=args.audit).first()
            if audit is None and args.audit.isdigit():
                audit = rows.filter(organization=organization, pk=int(args.audit)).first()
        else:
            audit = rows.filter(pk=int(args.audit)).first() if args.audit.isdigit() else None
    except LookupError as exc:
        return _fail(str(exc.args[0]))
    if audit is None:
        return _fail(f"監査「{args.audit}」が見つかりません（番号なら --org を指定してください）。")
    if not audit.sealed:
        return _fail(f"監査 {audit.number} は報告書が未発行（未封印）のため出力できません。")
    try:
        count = write_package(audit, args.out)
    except (OSError, EvidenceUnavailableError) as exc:
        args.out.unlink(missing_ok=True)
        return _fail(f"パッケージを書けません: {exc}")
    print(
        f"kitei: audit {audit.number} packaged to {args.out} "
        f"({count} files, manifest {audit.manifest_sha256})"
    )
    return 0


def _add_verify(cmds: Any) -> None:
    verify = cmds.add_parser("verify-package", help="check an audit package offline")
    verify.add_argument("package", type=Path, metavar="PACKAGE.zip")


def _run_verify(args: argparse.Namespace) -> int:
    from kitei.audits.seal import verify_package  # noqa: PLC0415

    try:
        result = verify_package(args.package)
    except (OSError, zipfile.BadZipFile, ValueError, KeyError) as exc:
        return _fail(f"パッケージを読めません: {args.package}: {exc}")
    if result.ok:
        print(
            f"kitei: package OK ({result.checked} files match the sealed manifest, "
            f"{result.addenda} addenda)"
        )
        return 0
    print(f"kitei: package does not match: {result.first_bad} ({result.problem})", file=sys.stderr)
    return 1


audit_cli.register_subcommand("package", _add_package, _run_package)
audit_cli.register_subcommand("verify-package", _add_verify, _run_verify)
