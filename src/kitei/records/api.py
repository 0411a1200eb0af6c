"""`/api/records?book=…`: read a record book of the caller's organisation over the JSON API.

Books are the organisation's pack books (and kitei's own, such as 持出記録（返却管理）);
an unknown book answers 422 with the Japanese reason. Entries come newest first, paginated
by the database.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kitei.core.api.auth import ApiError, TokenAuth, caller_of
from kitei.core.api.errors import ERRORS
from kitei.records.books import book_of
from kitei.records.models import RecordEntry
from kitei.records.queries import entries_of

router = Router(tags=["記録簿"])
MAX_LIMIT = 200


class RecordFilters(Schema):
    """Which book, which page."""

    book: str = Field(min_length=1, max_length=64, description="記録簿の id（例: disposal-record）")
    page: int = Field(1, ge=1)
    per_page: int = Field(50, ge=1, le=MAX_LIMIT)
    open_only: bool = Field(False, description="未完了（未返却・未確認など）のみ")


class EntryOut(Schema):
    """One entry: its fields by the book's field ids, who recorded it, its request."""

    id: int
    number: str = Field(description="記録番号（記録簿・年度ごと、例: R8-0001）")
    book: str
    request_id: int | None
    request_number: str | None = Field(description="申請番号")
    target: str | None = Field(description="申請の対象（情報資産または情報システムの名称）")
    fields: dict[str, Any]
    recorded_by: str
    recorded_at: datetime
    due_on: date | None
    closed_at: datetime | None
    closed_by: str | None
    corrects: int | None
    corrects_number: str | None


class RecordList(Schema):
    """A page of a book, with the book's title, citation and field headings."""

    book: str
    title: str
    clause: str
    kept_by: str
    fields: list[dict[str, str]]
    count: int
    page: int
    items: list[EntryOut]


def _out(entry: RecordEntry) -> dict[str, Any]:
    request = entry.request
    target = (request.asset or request.system) if request is not None else None
    return {
        "id": entry.pk,
        "number": entry.number,
        "book": entry.book,
        "request_id": entry.request_id,
        "request_number": request.number if request is not None else None,
        "target": target.name if target is not None else None,
        "fields": entry.fields,
        "recorded_by": entry.recorded_by.name,
        "recorded_at": entry.recorded_at,
        "due_on": entry.due_on,
        "closed_at": entry.closed_at,
        "closed_by": entry.closed_by.name if entry.closed_by else None,
        "corrects": entry.corrects_id,
        "corrects_number": entry.corrects.number if entry.corrects else None,
    }


@router.get(
    "",
    response={200: RecordList, **ERRORS},
    auth=TokenAuth("records.view"),
    summary="記録簿の記録",
)
def list_records(request: HttpRequest, filters: Query[RecordFilters]) -> dict[str, Any]:
    """Entries of one book of the caller's organisation, newest first."""
    organization = caller_of(request).organization
    try:
        book = book_of(organization, filters.book)
        page = entries_of(
            organization,
            book.id,
            page=filters.page,
            per_page=filters.per_page,
            open_only=filters.open_only,
        )
    except ValidationError as exc:
        raise ApiError(422, "book", " ".join(exc.messages)) from None
    return {
        "book": book.id,
        "title": book.title,
        "clause": book.clause,
        "kept_by": book.kept_by,
        "fields": [{"id": c.id, "title": c.title} for c in book.fields],
        "count": page.paginator.count,
        "page": page.number,
        "items": [_out(e) for e in page.object_list],
    }
