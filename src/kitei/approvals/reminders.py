"""Reminders of requests still waiting on an approver: the step's e-mail, sent again.

The periodic job `approvals.remind_pending` (`kitei tasks periodic`) sends, for every
open request, the same mail the approvers of its current step got when it began to wait
(`notifications.step_waiting`). How often is the operator's schedule (the timer or
crontab): the policies give no reminder interval, so kitei invents none. Each reminder
sent is in the audit trail.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

from django.db import transaction

from kitei.approvals import notifications
from kitei.approvals.choices import RequestAuditAction
from kitei.approvals.models import Request
from kitei.approvals.queries import OPEN_STATES, current_step, with_route
from kitei.core import access
from kitei.core.actors import Operator
from kitei.core.models import Organization
from kitei.core.services import Actor, record_change


@dataclass(frozen=True, kw_only=True)
class Reminded:
    """What one organisation's reminders came to: requests reminded, and those not."""

    sent: int = 0
    unreachable: int = 0  # nobody who decides the step has an e-mail address
    failed: int = 0  # the mail server refused


def remind_pending_approvals(organization: Organization, *, actor: Actor) -> Reminded:
    """Mail the approvers of every open request's current step again; each one recorded."""
    access.require(actor, "requests.view", organization)
    open_requests = with_route(
        access.scoped(Request.objects.filter(state__in=OPEN_STATES), organization)
    ).order_by("created_at", "pk")
    sent = unreachable = failed = 0
    for request in open_requests:
        step = current_step(request)
        if step is None:
            continue
        letter = notifications.step_waiting(request, step)
        addresses = letter.notice.addresses
        if not addresses:
            unreachable += 1
            continue
        try:
            # Recorded first: a failed sending rolls the record back with it.
            with transaction.atomic():
                record_change(
                    organization,
                    actor=actor,
                    action=RequestAuditAction.REMIND_APPROVAL,
                    obj=request,
                    after={"step": step.position, "to": addresses},
                )
                notifications.send_now(letter)
        except (OSError, smtplib.SMTPException):
            failed += 1
            continue
        sent += 1
    return Reminded(sent=sent, unreachable=unreachable, failed=failed)


def remind_all(actor: Operator) -> str:
    """The periodic job: every organisation's reminders; one line for the task's result."""
    totals = [remind_pending_approvals(org, actor=actor) for org in Organization.objects.all()]
    return (
        f"reminded {sum(t.sent for t in totals)} waiting request(s); "
        f"{sum(t.unreachable for t in totals)} without an approver's e-mail address; "
        f"{sum(t.failed for t in totals)} not sent (mail server)"
    )
