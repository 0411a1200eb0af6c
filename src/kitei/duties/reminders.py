"""One digest per person of the duties they owe: overdue ones, and those inside the lead time
the organisation set (`duty:<id>:lead`, e.g. P30D). kitei invents no lead time: without the
organisation's setting only overdue occurrences are reminded. Run by the periodic job
`duties.send_digests` (on the operator's schedule, e.g. weekly) or `kitei duties remind`.
"""

from __future__ import annotations

import smtplib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core.actors import Operator
from kitei.core.fiscal import wareki_date
from kitei.core.models import Organization
from kitei.core.numbering import fiscal_year
from kitei.core.services import Actor, record_change
from kitei.duties import orgsettings, schedule
from kitei.duties.choices import DutyAuditAction, OccurrenceState
from kitei.duties.periods import parse_interval
from kitei.people.models import Person


@dataclass(frozen=True, kw_only=True)
class Digest:
    """What one person was (or could not be) sent."""

    person: Person
    occurrences: tuple[schedule.Occurrence, ...]
    email: str
    sent: bool
    problem: str = ""


def reminded(organization: Organization, today: date) -> dict[Person, list[schedule.Occurrence]]:
    """Each responsible person's occurrences to remind: overdue, or due within the lead time."""
    settings = orgsettings.latest(organization)
    calendar = schedule.compute(organization, fiscal_year(today))
    found: dict[Person, list[schedule.Occurrence]] = defaultdict(list)
    for o in calendar.occurrences:
        if o.due is None or o.state in (OccurrenceState.DONE,):
            continue
        remind = o.state == OccurrenceState.OVERDUE
        lead = settings.get(f"duty:{o.duty.id}:lead")
        if not remind and lead is not None and lead.value:
            try:
                remind = parse_interval(lead.value).after(o.due, -1) <= today
            except ValidationError:
                remind = False
        if remind:
            for person in o.responsible:
                found[person].append(o)
    return found


def _message(
    organization: Organization, person: Person, items: list[schedule.Occurrence], today: date
) -> tuple[str, str]:
    subject = _("【%(org)s】年度の義務のお知らせ（%(n)d件）") % {
        "org": organization.name,
        "n": len(items),
    }
    lines = [
        f"・{o.duty.title}（{o.scope.name}）期限 {wareki_date(o.due)}"
        f"{'【期限超過】' if o.state == OccurrenceState.OVERDUE else ''}\n"
        f"　根拠: {o.duty.clause}「{o.duty.quote}」"
        for o in items
        if o.due is not None
    ]
    body = _(
        "%(name)s 様\n\n%(day)s 現在、次の義務の期限が近づいているか、過ぎています。\n\n"
        "%(lines)s\n\n"
        "このメールは kitei（%(org)s の情報セキュリティポリシーの運用）が自動で送っています。\n"
    ) % {
        "name": person.name,
        "day": wareki_date(today),
        "lines": "\n".join(lines),
        "org": organization.name,
    }
    return subject, body


def send_digests(organization: Organization, *, actor: Actor, today: date) -> list[Digest]:
    """Mail each person one digest of their occurrences to remind; each sent one is audited."""
    result = []
    for person, items in sorted(reminded(organization, today).items(), key=lambda x: x[0].name):
        email = person.mail_address()
        if not email:
            problem = _("メールアドレスが登録されていません")
            result.append(
                Digest(person=person, occurrences=tuple(items), email="", sent=False,
                       problem=problem)
            )  # fmt: skip
            continue
        subject, body = _message(organization, person, items, today)
        try:
            with transaction.atomic():  # recorded first: a failed sending rolls it back
                record_change(
                    organization,
                    actor=actor,
                    action=DutyAuditAction.SEND_DUTY_DIGEST,
                    obj=person,
                    after={"to": email, "duties": [o.key for o in items]},
                )
                send_mail(subject, body, None, [email])
        except (OSError, smtplib.SMTPException) as exc:
            result.append(
                Digest(person=person, occurrences=tuple(items), email=email, sent=False,
                       problem=str(exc))
            )  # fmt: skip
            continue
        result.append(Digest(person=person, occurrences=tuple(items), email=email, sent=True))
    return result


def send_all_digests(actor: Operator) -> str:
    """The periodic job: every organisation's digests; one line."""
    today = timezone.localdate()
    digests = [
        d
        for org in Organization.objects.order_by("slug")
        for d in send_digests(org, actor=actor, today=today)
    ]
    sent = sum(1 for d in digests if d.sent)
    return f"{len(digests)} duty digest(s): {sent} sent, {len(digests) - sent} not"
