"""E-mail to the recipients of an opened report step, after the transaction commits.

Honest about who was reached: the step's note names the people a message was queued to and
those kitei cannot mail (no address); nobody is claimed to be told who was not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from kitei.incidents.models import ReportStep


def queue_step(row: ReportStep) -> str:
    """Queue one message per recipient with an address; return the note saying who."""
    people = list(row.recipients.all())
    if not people:
        return _("この役割を現在担当している者がいません（報告先なし）。")
    reached = [p for p in people if p.mail_address()]
    missing = [p for p in people if not p.mail_address()]
    incident = row.incident
    subject = _("【インシデント報告】%(number)s %(title)s") % {
        "number": incident.number,
        "title": incident.title,
    }
    body = _(
        "インシデント %(number)s「%(title)s」の報告が届いています。\n"
        "種別: %(kind)s\n根拠: %(clause)s「%(quote)s」\n時期: %(timing)s\n"
        "kitei でインシデントを開き、受領を記録してください。\n"
    ) % {
        "number": incident.number,
        "title": incident.title,
        "kind": incident.kind_title or "-",
        "clause": row.clause,
        "quote": row.quote,
        "timing": row.timing,
    }
    messages = [
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [p.mail_address()])
        for p in reached
    ]
    if messages:
        transaction.on_commit(lambda: get_connection().send_messages(messages))
    parts = []
    if reached:
        parts.append(_("メール送信: %(names)s") % {"names": "、".join(p.name for p in reached)})
    if missing:
        parts.append(
            _("メールアドレスがなく未通知: %(names)s")
            % {"names": "、".join(p.name for p in missing)}
        )
    return " / ".join(parts)
