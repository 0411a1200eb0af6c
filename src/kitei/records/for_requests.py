"""What the record books give the request pages and the filing service (approvals' hooks).

Registered with `kitei.approvals.extensions` by `RecordsConfig.ready`: approvals sits below
the books and never imports them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from kitei.approvals import notifications
from kitei.approvals.choices import RequestState
from kitei.approvals.extensions import RequestRecords
from kitei.approvals.models import Request
from kitei.core.models import Organization
from kitei.core.services import Actor
from kitei.records import queries
from kitei.records.books import Book, books_for
from kitei.records.exceptions import open_emergency_report


def after_filing(request: Request, actor: Actor) -> None:
    """A permitted emergency exception opens its 要事後報告 entry; its receiver is told."""
    if open_emergency_report(request, actor=actor) is not None:
        notifications.send_on_commit(notifications.report_awaited(request))


def reports_awaited(organization: Organization) -> QuerySet[Any]:
    """Emergency exceptions whose 事後報告 is not yet received (002 8-4(2))."""
    return queries.awaiting_report(organization)


def overdue_returns(organization: Organization, today: date) -> int:
    """How many take-outs are past their return date."""
    return queries.overdue_returns(organization, today).count()


def request_records(item: Request) -> RequestRecords:
    """The entries recorded for the request (with their book's title), and the books left."""
    book_titles = {b.id: b.title for b in books_for(item.organization)}
    entries = list(item.records.select_related("recorded_by", "closed_by").order_by("recorded_at"))
    for entry in entries:
        entry.book_title = book_titles.get(entry.book, entry.book)  # type: ignore[attr-defined]  # for the template
    return RequestRecords(entries=entries, to_record=_books_to_record(item, entries))


def _books_to_record(item: Request, records: list[Any]) -> list[Book]:
    """The books an approved or permitted request is still to be recorded in.

    The books its decision names, and for a take-out the book its return is tracked in;
    those with an entry for the request already are done.
    """
    if item.state not in (RequestState.APPROVED, RequestState.PERMITTED):
        return []
    named = set(item.stored_decision.record_books)
    done = {entry.book for entry in records}
    return [
        book
        for book in books_for(item.organization)
        if (book.id in named or (book.action == item.action and book.purpose == "take_out"))
        and book.id not in done
        and book.purpose != "exception_review"
    ]
