"""Reminders of overdue take-out returns, by e-mail to whoever took the asset out."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import date

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core.actors import Operator
from kitei.core.models import Organization
from kitei.core.services import Actor, record_change
from kitei.records.choices import RecordAuditAction
from kitei.records.models import RecordEntry
from kitei.records.queries import overdue_returns


@dataclass(frozen=True, kw_only=True)
class Reminder:
    """One overdue take-out and what became of its reminder."""

    entry: RecordEntry
    borrower: str
    email: str
    days_overdue: int
    sent: bool
    problem: str = ""


def _item(entry: RecordEntry) -> str:
    item = entry.fields.get("item", "")
    if not item and entry.request is not None and entry.request.asset is not None:
        item = entry.request.asset.name
    return str(item) or _("持ち出した情報資産等")


def _message(organization: Organization, entry: RecordEntry, days: int) -> tuple[str, str]:
    item = _item(entry)
    subject = _("【%(org)s】返却予定日を過ぎています：%(item)s") % {
        "org": organization.name,
        "item": item,
    }
    body = _(
        "%(name)s 様\n\n"
        "次の持ち出しは返却予定日を%(days)d日過ぎています。返却し、返却の記録をお願いします。\n\n"
        "　持ち出した情報資産等：%(item)s\n"
        "　持出先：%(destination)s\n"
        "　返却予定日：%(due)s\n"
        "　記録番号：%(number)s\n\n"
        "このメールは kitei（%(org)s の情報セキュリティポリシーの運用）が自動で送っています。\n"
    ) % {
        "name": entry.person.name if entry.person else "",
        "days": days,
        "item": item,
        "destination": entry.fields.get("destination", ""),
        "due": entry.due_on.isoformat() if entry.due_on else "",
        "number": entry.number,
        "org": organization.name,
    }
    return subject, body


def remind_overdue_returns(
    organization: Organization, *, actor: Actor, today: date
) -> list[Reminder]:
    """E-mail each borrower of an overdue take-out; each reminder sent is in the audit trail."""
    reminders = []
    for entry in overdue_returns(organization, today):
        days = (today - entry.due_on).days if entry.due_on else 0
        borrower = entry.person.name if entry.person else ""
        email = entry.person.mail_address() if entry.person else ""
        if not email:
            problem = _("メールアドレスが登録されていません")
            reminders.append(
                Reminder(entry=entry, borrower=borrower, email="", days_overdue=days, sent=False,
                         problem=problem)
            )  # fmt: skip
            continue
        subject, body = _message(organization, entry, days)
        try:
            # Recorded first: a failed sending rolls the record back with it.
            with transaction.atomic():
                record_change(
                    organization,
                    actor=actor,
                    action=RecordAuditAction.REMIND_RETURN,
                    obj=entry,
                    after={"to": email, "due_on": entry.due_on, "days_overdue": days},
                )
                send_mail(subject, body, None, [email])
        except (OSError, smtplib.SMTPException) as exc:
            reminders.append(
                Reminder(entry=entry, borrower=borrower, email=email, days_overdue=days,
                         sent=False, problem=str(exc))
            )  # fmt: skip
            continue
        reminders.append(
            Reminder(entry=entry, borrower=borrower, email=email, days_overdue=days, sent=True)
        )
    return reminders


def remind_all_overdue(actor: Operator) -> str:
    """The periodic job: remind every organisation's overdue borrowers; one line."""
    today = timezone.localdate()
    reminders = [
        reminder
        for org in Organization.objects.order_by("slug")
        for reminder in remind_overdue_returns(org, actor=actor, today=today)
    ]
    sent = sum(1 for r in reminders if r.sent)
    return f"{len(reminders)} overdue take-out(s): {sent} reminded, {len(reminders) - sent} not"
