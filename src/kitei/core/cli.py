"""The Django side of the `kitei` command: migrate, serve, check, worker, audit, demo …"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from kitei.core import audit_cli, evidence_cli, org_cli, tasks_cli, token_cli


def setup() -> None:
    """Configure Django for a command run outside manage.py."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitei.settings")
    import django  # noqa: PLC0415 - Django loads only for the commands that need it

    django.setup()


def add_parsers(sub: Any) -> None:
    """Register the web application's commands."""
    sub.add_parser("migrate", help="create or update the database schema")
    check = sub.add_parser("check", help="Django's system checks; exit 1 on any warning")
    check.add_argument(
        "--deploy", action="store_true", help="also check the production settings (HTTPS …)"
    )
    serve = sub.add_parser("serve", help="run the web application (gunicorn)")
    serve.add_argument("--bind", default="127.0.0.1:8000")
    serve.add_argument("--workers", type=int, default=2)
    admin = sub.add_parser("createadmin", help="create a site administrator")
    admin.add_argument("--username", required=True)
    admin.add_argument("--email", default="")
    demo = sub.add_parser("demo", help="create (or reset) the demo database and print logins")
    demo.add_argument("--serve", action="store_true", help="then run the server")
    demo.add_argument("--bind", default="127.0.0.1:8000")
    demo.add_argument(
        "--debug",
        action="store_true",
        help="serve with Django's debug pages (developers); default: kitei's own error pages",
    )
    backup = sub.add_parser("backup", help="write a consistent snapshot, also while serving")
    backup.add_argument("path", type=Path, help="backup file; its manifest is PATH.json")
    restore = sub.add_parser("restore", help="restore a backup into an empty database, verified")
    restore.add_argument("path", type=Path, help="backup file written by `kitei backup`")
    audit_cli.add_parser(sub)
    token_cli.add_parser(sub)
    org_cli.add_parser(sub)
    evidence_cli.add_parser(sub)
    tasks_cli.add_parser(sub)


def run(args: argparse.Namespace) -> int:
    """Run one web application command; returns the exit code."""
    setup()
    handlers = {
        "migrate": _migrate,
        "check": _check,
        "serve": serve,
        "createadmin": _createadmin,
        "audit": audit_cli.run,
        "backup": _backup,
        "restore": _restore,
        "token": _token,
        "org": org_cli.run,
        "evidence": evidence_cli.run,
        "worker": tasks_cli.run,
        "tasks": tasks_cli.run,
    }
    return handlers[args.command](args)


def _migrate(args: argparse.Namespace) -> int:
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    print("kitei: database is up to date")
    return 0


def _check(args: argparse.Namespace) -> int:
    """Run Django's system checks: one line per issue, exit 1 when any is a warning or worse."""
    from django.core import checks  # noqa: PLC0415

    found = [
        m for m in checks.run_checks(include_deployment_checks=args.deploy) if not m.is_silenced()
    ]
    for message in found:
        text = " ".join(f"{message.msg} {message.hint or ''}".split())
        print(f"kitei: {message.id}: {text}", file=sys.stderr)
    serious = [m for m in found if m.is_serious(checks.WARNING)]
    if serious:
        print(f"kitei: {len(serious)} issue(s) found", file=sys.stderr)
        return 1
    scope = "production settings included" if args.deploy else "add --deploy for production"
    print(f"kitei: system checks passed ({scope})")
    return 0


def serve(args: argparse.Namespace) -> int:
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    argv = [
        gunicorn,
        "kitei.wsgi:application",
        "--bind",
        args.bind,
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
    ]
    os.execv(gunicorn, argv)


def _createadmin(args: argparse.Namespace) -> int:
    import getpass  # noqa: PLC0415

    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.contrib.auth.password_validation import validate_password  # noqa: PLC0415
    from django.core.exceptions import ValidationError  # noqa: PLC0415

    user_model = get_user_model()
    if user_model.objects.filter(username=args.username).exists():
        print(f"kitei: user '{args.username}' already exists", file=sys.stderr)
        return 2
    password = os.environ.get("KITEI_ADMIN_PASSWORD") or getpass.getpass("パスワード: ")
    try:
        validate_password(password, user_model(username=args.username, email=args.email))
    except ValidationError as exc:
        print(f"kitei: {' '.join(exc.messages)}", file=sys.stderr)
        return 2
    user_model.objects.create_superuser(args.username, args.email, password)
    print(f"kitei: site administrator '{args.username}' created (TOTP is set up at first login)")
    return 0


def _backup(args: argparse.Namespace) -> int:
    from kitei.core.backup import backup_command  # noqa: PLC0415

    return backup_command(args.path)


def _restore(args: argparse.Namespace) -> int:
    from kitei.core.backup import restore_command  # noqa: PLC0415

    return restore_command(args.path)


def _token(args: argparse.Namespace) -> int:
    from kitei.core.token_cli import token_command  # noqa: PLC0415

    return token_command(args)


def add_as(parser: argparse.ArgumentParser) -> None:
    """`--as USERNAME`: act with that member's permissions (default: the OS user)."""
    parser.add_argument(
        "--as",
        dest="as_user",
        metavar="USERNAME",
        help="act as this member (their permissions apply); default: the OS user is recorded",
    )


def add_register_parsers(sub: Any, register: str, title: str) -> None:
    """`kitei assets|systems import|export`: the register as .xlsx or CSV."""
    parser = sub.add_parser(register, help=f"the {title} (.xlsx or CSV)")
    cmds = parser.add_subparsers(dest=f"{register}_command", required=True, metavar="COMMAND")
    import_ = cmds.add_parser("import", help="add the rows of an .xlsx or CSV file")
    import_.add_argument("--org", required=True, help="organisation identifier (slug)")
    import_.add_argument("file", type=Path, help=".xlsx or CSV (UTF-8 or Shift_JIS)")
    import_.add_argument("--dry-run", action="store_true", help="check only; write nothing")
    add_as(import_)
    export = cmds.add_parser("export", help="write the register in the import's format")
    export.add_argument("--org", required=True, help="organisation identifier (slug)")
    export.add_argument("file", type=Path, help="where to write (.xlsx or .csv)")
    export.add_argument("--format", choices=("xlsx", "csv"), help="default: from the file name")
    if register == "systems":
        export.add_argument(
            "--sheet",
            choices=("systems", "software"),
            default="systems",
            help="which list a CSV file holds",
        )
