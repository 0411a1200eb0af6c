"""The exception register (002 8-4): an exception's documents, its 事後報告, its review.

An approved exception, or a permitted emergency one, is kept in the pack's exception book
(8-4(3)). An emergency one is opened there when it is filed and awaits its 事後報告 to the
CISO (8-4(2)) until a holder of `exceptions.receive_report` records receiving it; the
CISO's periodic review (8-4(3)) is an entry of kitei's own review book about it.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.approvals.choices import RequestState
from kitei.approvals.models import Request
from kitei.core import access
from kitei.core.models import Organization
from kitei.core.services import Actor
from kitei.people.models import Person
from kitei.records.books import (
    ACTIONS,
    Book,
    book_for_purpose,
    book_of,
    books_for,
    clean_fields,
)
from kitei.records.choices import RecordAuditAction
from kitei.records.models import Awaiting, RecordEntry
from kitei.records.services import _close, _closing, _insert, _member, record_entry, snapshot


@transaction.atomic
def record_exception(
    organization: Organization,
    *,
    actor: Actor,
    request: Request,
    recorded_by: Person,
    fields: Mapping[str, object],
) -> RecordEntry:
    """Keep a document of an exception (002 8-4(3): 経緯に係る資料を適正に保管).

    The request is an approved `exception.request`, or a permitted emergency one (002
    8-4(2)), whose 事後報告 is awaited on the entry opened when it was filed
    (`open_emergency_report`), not on this one.
    """
    access.require(actor, "records.write", organization)
    if request.action != ACTIONS["exception"]:
        raise ValidationError(_("例外措置の申請ではありません。"))
    book = book_for_purpose(organization, "exception")
    return record_entry(
        organization,
        actor=actor,
        book=book.id,
        recorded_by=recorded_by,
        fields=fields,
        request=request,
    )


def open_emergency_report(request: Request, *, actor: Actor) -> RecordEntry | None:
    """Open the exception book's entry of a permitted emergency exception: 要事後報告.

    002 8-4(2): the 情報セキュリティ管理者 takes the exception at once and reports to the
    CISO 事後速やかに. The entry — its 経緯 the request's reason — stays open, in the
    inbox and on the home page of whoever may receive the report, until they record
    receiving it (`report_exception_afterwards`). None when the request is not such a one.
    Called by `file_request` inside its transaction.
    """
    if request.state != RequestState.PERMITTED or not request.context.get("emergency"):
        return None
    named = set(request.stored_decision.record_books)
    books = [b for b in books_for(request.organization) if b.id in named]
    book = next((b for b in books if b.purpose == "exception"), None)
    if book is None:
        return None
    access.require(actor, "records.write", request)
    values = clean_fields(book, {book.fields[0].id: request.reason}, partial=True)
    return _insert(
        request.organization,
        actor=actor,
        action=RecordAuditAction.OPEN_EMERGENCY_REPORT,
        book=book,
        recorded_by=request.applicant,
        values=values,
        request=request,
        awaits=Awaiting.REPORT,
    )


@transaction.atomic
def report_exception_afterwards(entry: RecordEntry, *, actor: Actor) -> RecordEntry:
    """The CISO records receiving an emergency exception's 事後報告 (002 8-4(2)), once.

    Only a holder of `exceptions.receive_report` (the pack's grant) may; the entry leaves
    the CISO's inbox and home page.
    """
    access.require(actor, "exceptions.receive_report", entry)
    reporter = access.person_of(actor) if actor is not None else None
    by = reporter if isinstance(reporter, Person) else None
    before = snapshot(entry)
    _close(entry, awaits=Awaiting.REPORT, at=timezone.now(), by=by)
    _closing(entry, RecordAuditAction.REPORT_EXCEPTION_AFTERWARDS, actor, before)
    return entry


def _reviewers(organization: Organization, book: Book) -> frozenset[str]:
    """The roles the pack's periodic duty of the exception clause names (the CISO in 002)."""
    pack = access.engine_for(organization.pack_id, organization.pack_digest).pack
    duty = next((d for d in pack.periodic_duties if d.clause == book.clause), None)
    return frozenset(duty.actors) if duty else frozenset()


@transaction.atomic
def review_exception(
    entry: RecordEntry, *, actor: Actor, reviewer: Person, note: str
) -> RecordEntry:
    """Record the CISO's periodic review of an exception (002 8-4(3): 定期的にその状況を確認)."""
    access.require(actor, "exceptions.review", entry)
    organization = entry.organization
    exception = book_of(organization, entry.book)
    if exception.purpose != "exception":
        raise ValidationError(_("例外措置の記録ではありません。"))
    _member(organization, reviewer, _("確認者"))
    roles = _reviewers(organization, exception)
    if roles and not roles & access.roles_held_by(reviewer):
        raise ValidationError(
            _("例外措置の状況の確認は、規程が定める者（%s）が行います。")
            % "、".join(_role_titles(organization, roles))
        )
    review = book_for_purpose(organization, "exception_review")
    values = clean_fields(review, {"note": note})
    return _insert(
        organization,
        actor=actor,
        action=RecordAuditAction.REVIEW_EXCEPTION,
        book=review,
        recorded_by=reviewer,
        values=values,
        about=entry,
    )


def _role_titles(organization: Organization, roles: frozenset[str]) -> list[str]:
    pack = access.engine_for(organization.pack_id, organization.pack_digest).pack
    return [r.title for r in pack.roles if r.id in roles]
