"""`kitei records remind`: e-mail whoever has an overdue take-out; one line per reminder."""

from __future__ import annotations

import argparse
import sys
from typing import Any

COMMANDS = ("records",)


def add_parser(sub: Any) -> None:
    """Register `kitei records`."""
    records = sub.add_parser("records", help="the record books (持出記録, 廃棄記録 …)")
    cmds = records.add_subparsers(dest="records_command", required=True, metavar="COMMAND")
    remind = cmds.add_parser(
        "remind", help="e-mail each borrower of an overdue take-out (run daily)"
    )
    remind.add_argument("--org", help="organisation identifier (slug); all when omitted")


def run(args: argparse.Namespace) -> int:
    """Run one `kitei records` subcommand; returns the exit code."""
    from django.utils import timezone  # noqa: PLC0415 - Django is set up by now

    from kitei.core import access  # noqa: PLC0415
    from kitei.core.models import Organization  # noqa: PLC0415
    from kitei.records.notifications import remind_overdue_returns  # noqa: PLC0415

    organizations = Organization.objects.order_by("slug")
    if args.org:
        organizations = organizations.filter(slug=args.org)
        if not organizations.exists():
            print(f"kitei: no organisation '{args.org}'", file=sys.stderr)
            return 2
    today = timezone.localdate()
    count = 0
    for org in organizations:
        for reminder in remind_overdue_returns(
            org, actor=access.Operator.from_os("kitei records remind"), today=today
        ):
            outcome = (
                f"sent to {reminder.email}" if reminder.sent else f"not sent: {reminder.problem}"
            )
            due = reminder.entry.due_on.isoformat() if reminder.entry.due_on else ""
            print(
                f"{org.slug}\t{reminder.entry.number}\t{reminder.borrower}\t"
                f"返却予定日 {due}（{reminder.days_overdue}日超過）\t{outcome}"
            )
            count += 1
    print(f"kitei: {count} overdue take-out(s)")
    return 0
