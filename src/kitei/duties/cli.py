"""`kitei calendar ORG --year 2026 [--json]` and `kitei settings …`: the fiscal-year duties
and the organisation's 実施手順 values, from the command line.

Bad input (an unknown organisation, a year kitei does not answer for, a refused setting)
prints one line to stderr and exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

COMMANDS = ("calendar", "settings", "duties")


def add_parser(sub: Any) -> None:
    """Register `kitei calendar` and `kitei settings`."""
    cal = sub.add_parser("calendar", help="the fiscal-year calendar of the pack's duties")
    cal.add_argument("org", metavar="ORG", help="organisation identifier (kitei org list)")
    cal.add_argument(
        "--year", type=int, help="fiscal year (西暦, 2026 = 令和8年度); default: this one"
    )
    cal.add_argument("--json", action="store_true", help="print JSON (the scripts' contract)")
    st = sub.add_parser("settings", help="organisation settings (実施手順の値) with their basis")
    cmds = st.add_subparsers(dest="settings_command", required=True, metavar="COMMAND")
    ls = cmds.add_parser("list", help="every settable value, its source and basis")
    ls.add_argument("org", metavar="ORG")
    ls.add_argument("--json", action="store_true")
    put = cmds.add_parser("set", help="record the organisation's decision on a value")
    put.add_argument("org", metavar="ORG")
    put.add_argument("key", help="duty:<id>:interval, duty:<id>:lead, parameter:<id> …")
    put.add_argument("value", help='an ISO 8601 period (P1M) or the value; "" unsets it')
    put.add_argument("--basis", required=True, help="e.g. 情報セキュリティ実施手順 第5条")
    put.add_argument("--decided-by", required=True, help="who decided (e.g. CISO 議長)")
    put.add_argument("--decided-on", help="YYYY-MM-DD (default: today)")
    put.add_argument("--as", dest="as_user", metavar="USERNAME", help="act as this member")
    duties = sub.add_parser("duties", help="reminders of the fiscal-year duties")
    dcmds = duties.add_subparsers(dest="duties_command", required=True, metavar="COMMAND")
    remind = dcmds.add_parser("remind", help="mail each person one digest of their duties due")
    remind.add_argument("--org", help="organisation identifier (slug); all when omitted")


def _fail(message: str) -> int:
    print(f"kitei: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Run `kitei calendar` or `kitei settings`; returns the exit code."""
    from django.core.exceptions import ValidationError  # noqa: PLC0415 - Django is set up

    from kitei.core.models import Organization  # noqa: PLC0415

    if args.command == "duties":
        return _remind(args)
    org = Organization.objects.filter(slug=args.org).first()
    if org is None:
        return _fail(f"no organisation '{args.org}'")
    try:
        if args.command == "calendar":
            return _calendar(org, args)
        if args.settings_command == "list":
            return _list(org, args)
        return _set(org, args)
    except ValidationError as exc:
        return _fail(" ".join(exc.messages))


def _calendar(org: Any, args: argparse.Namespace) -> int:
    from django.utils import timezone  # noqa: PLC0415

    from kitei.core.numbering import fiscal_year  # noqa: PLC0415
    from kitei.duties import export, schedule  # noqa: PLC0415

    year = args.year if args.year is not None else fiscal_year(timezone.localdate())
    calendar = schedule.compute(org, year)
    if args.json:
        print(json.dumps(export.calendar_json(calendar), ensure_ascii=False, indent=1))
        return 0
    print(f"{org.slug} {calendar.label} ({calendar.start} – {calendar.end})")
    for o in calendar.occurrences:
        row = export.occurrence_json(o)
        period = f"{row['period']['start']}–{row['period']['end']}" if row["period"] else "—"
        names = ",".join(row["responsible"]) or "—"
        print(
            f"{o.duty.id}\t{o.scope.name}\t{period}\t{row['due'] or '—'}\t"
            f"{o.state.label}\t{names}\t{o.duty.clause}"
        )
    return 0


def _list(org: Any, args: argparse.Namespace) -> int:
    from kitei.duties import export, orgsettings  # noqa: PLC0415 - Django is set up

    rows = [export.setting_json(r) for r in orgsettings.resolve_all(org)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    for row in rows:
        basis = (
            f"\t{row['basis']}（{row['decided_by']} {row['decided_on']}）" if row["basis"] else ""
        )
        print(f"{row['key']}\t{row['value'] or '未設定'}\t{row['source']}{basis}")
    return 0


def _set(org: Any, args: argparse.Namespace) -> int:
    from django.utils import timezone  # noqa: PLC0415

    from kitei.core import access  # noqa: PLC0415
    from kitei.duties import orgsettings  # noqa: PLC0415

    try:
        decided_on = (
            date.fromisoformat(args.decided_on) if args.decided_on else timezone.localdate()
        )
    except ValueError:
        return _fail(f"--decided-on '{args.decided_on}' is not a date (YYYY-MM-DD)")
    try:
        actor = access.cli_actor(org, args.as_user, "kitei settings set")
    except access.UnknownOperatorError as exc:
        return _fail(str(exc))
    try:
        row = orgsettings.set_setting(
            org,
            actor=actor,
            key=args.key,
            value=args.value,
            basis=args.basis,
            decided_by=args.decided_by,
            decided_on=decided_on,
        )
    except access.Refusal as exc:
        return _fail(exc.verdict.message)
    print(f"{org.slug}\t{row.key}\t{row.value or '未設定'}\t{row.basis}")
    return 0


def _remind(args: argparse.Namespace) -> int:
    from django.utils import timezone  # noqa: PLC0415

    from kitei.core import access  # noqa: PLC0415
    from kitei.core.models import Organization  # noqa: PLC0415
    from kitei.duties.reminders import send_digests  # noqa: PLC0415

    organizations = Organization.objects.order_by("slug")
    if args.org:
        organizations = organizations.filter(slug=args.org)
        if not organizations.exists():
            return _fail(f"no organisation '{args.org}'")
    actor = access.Operator.from_os("kitei duties remind")
    count = 0
    for org in organizations:
        for digest in send_digests(org, actor=actor, today=timezone.localdate()):
            outcome = f"sent to {digest.email}" if digest.sent else f"not sent: {digest.problem}"
            print(f"{org.slug}\t{digest.person.name}\t{len(digest.occurrences)}件\t{outcome}")
            count += 1
    print(f"kitei: {count} duty digest(s)")
    return 0
