"""Reads of the record books, always scoped to one organisation; the .xlsx export."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from django.core.paginator import Page, Paginator
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core import access, tabular
from kitei.core.models import Organization
from kitei.records.books import Book, book_of, books_for
from kitei.records.models import Awaiting, RecordEntry

MAX_PER_PAGE = 500


def open_q() -> Q:
    """Entries still waiting for their closing step (return, disposal, confirmation …)."""
    return ~Q(awaits=Awaiting.NOTHING) & Q(closed_at__isnull=True)


def _corrected() -> Exists:
    """Whether a later entry corrects the entry."""
    return Exists(RecordEntry.objects.filter(corrects=OuterRef("pk")))


def _entries(organization: Organization) -> QuerySet[RecordEntry]:
    """The organisation's entries with what a list shows, each marked when corrected."""
    return (
        access.scoped(RecordEntry.objects.all(), organization)
        .select_related(
            "recorded_by",
            "closed_by",
            "person",
            "request__asset",
            "request__system",
            "corrects",
        )
        .annotate(superseded=_corrected())
    )


def entries_of(
    organization: Organization,
    book: str,
    *,
    page: int | str = 1,
    per_page: int = 50,
    open_only: bool = False,
) -> Page[RecordEntry]:
    """One page of a book, newest first, in a constant number of queries (count + page).

    Each entry carries `superseded` (a later entry corrects it).
    """
    spec = book_of(organization, book)
    entries = _entries(organization).filter(book=spec.id)
    if open_only:
        entries = entries.filter(open_q())
    entries = entries.order_by("-recorded_at", "-pk")
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    return Paginator(entries, per_page).get_page(page)


def get_entry(organization: Organization, pk: int) -> RecordEntry:
    """One entry of the organisation (RecordEntry.DoesNotExist for another's)."""
    return _entries(organization).get(pk=pk)


def take_outs_out(
    organization: Organization, *, person: int | None = None
) -> QuerySet[RecordEntry]:
    """Take-outs not yet returned, earliest expected return first; of one person if given.

    A take-out replaced by a correction is left to its correction.
    """
    books = [b.id for b in books_for(organization) if b.purpose == "take_out"]
    entries = (
        _entries(organization)
        .filter(~_corrected(), book__in=books, awaits=Awaiting.RETURN, closed_at__isnull=True)
        .select_related("person__user", "request__asset")
    )
    if person is not None:
        entries = entries.filter(person_id=person)
    return entries.order_by(F("due_on").asc(nulls_last=True), "pk")


def overdue_returns(
    organization: Organization, today: date, *, person: int | None = None
) -> QuerySet[RecordEntry]:
    """Take-outs whose expected return has passed and which are not yet returned."""
    return take_outs_out(organization, person=person).filter(due_on__lt=today)


def awaiting_report(organization: Organization) -> QuerySet[RecordEntry]:
    """Emergency exceptions whose 事後報告 to the CISO is not yet received (002 8-4(2)).

    Oldest first; an entry replaced by a correction is left to its correction.
    """
    return (
        _entries(organization)
        .filter(~_corrected(), awaits=Awaiting.REPORT, closed_at__isnull=True)
        .select_related("request__applicant")
        .order_by("recorded_at", "pk")
    )


def _closing_headings(book: Book) -> tuple[str, str]:
    """Headings of when and by whom an entry of `book` was closed ("" when it has no step)."""
    if book.purpose == "take_out":
        return _("返却日時"), _("返却者")
    if book.purpose == "disposal":
        return _("処理の記録日時"), ""
    if book.confirmation is not None:
        return _("確認日時"), _("確認者")
    if book.purpose == "entry_log":
        return _("退室の記録日時"), ""
    if book.purpose == "exception":
        return _("事後報告日時"), _("報告者")
    return "", ""


def _local(value: datetime | None) -> datetime | None:
    """A time as Excel holds it: local (Japan) time without a zone."""
    return None if value is None else timezone.localtime(value).replace(tzinfo=None)


def _state(entry: RecordEntry, today: date) -> str:
    if entry.is_open:
        if entry.awaits == Awaiting.RETURN and entry.due_on and entry.due_on < today:
            return _("返却期限超過")
        return str(Awaiting(entry.awaits).label)
    return _("完了") if entry.awaits != Awaiting.NOTHING else ""


def _rows(book: Book, entries: QuerySet[RecordEntry]) -> Iterator[list[object]]:
    at_title, by_title = _closing_headings(book)
    today = timezone.localdate()
    for entry in entries.iterator(chunk_size=2000):
        row: list[object] = [entry.number, _local(entry.recorded_at), entry.recorded_by.name]
        row += [entry.fields.get(c.id, "") for c in book.fields]
        if book.purpose == "take_out":
            row += [entry.person.name if entry.person else "", entry.due_on]
        if at_title:
            row += [_state(entry, today), _local(entry.closed_at)]
        if by_title:
            row.append(entry.closed_by.name if entry.closed_by else "")
        if book.purpose == "exception_review":
            row.append(entry.about.number if entry.about else "")
        request = entry.request
        target = (request.asset or request.system) if request is not None else None
        row += [
            request.number if request is not None else "",
            target.name if target is not None else "",
            entry.corrects.number if entry.corrects else "",
            _("訂正済み") if getattr(entry, "superseded", False) else "",
        ]
        yield row


def _headings(book: Book) -> list[str]:
    at_title, by_title = _closing_headings(book)
    headings = [_("番号"), _("記録日時"), _("記録者"), *(c.title for c in book.fields)]
    if book.purpose == "take_out":
        headings += [_("持出者"), _("返却予定日")]
    if at_title:
        headings += [_("状態"), at_title]
    if by_title:
        headings.append(by_title)
    if book.purpose == "exception_review":
        headings.append(_("対象の記録の番号"))
    return [*headings, _("申請番号"), _("申請の対象"), _("訂正する記録の番号"), _("訂正")]


def _about(book: Book) -> tabular.Sheet:
    """A second sheet saying what the book is and where the policy requires it."""
    kept = (
        _("規程が定める記録簿")
        if book.kept_by == "pack"
        else _("kitei が記録する記録簿（規程が定めるものではありません）")
    )
    rows: list[list[object]] = [
        [_("記録簿"), book.title],
        [_("管理"), kept],
        [_("根拠（条項）"), book.clause],
        [_("規程の文言"), book.quote],
        [_("出典"), book.source],
        [_("保存期間"), _("定めなし") if book.retention == "unspecified" else book.retention],
        [_("備考"), book.note],
    ]
    return tabular.Sheet(
        title=_("記録簿について"),
        headings=[_("項目"), _("内容")],
        rows=rows,
        count=len(rows),
        widths=(16, 80),
    )


def _sheet_title(title: str) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return cleaned[:31] or "records"


def export_book(organization: Organization, book: str) -> bytes:
    """The book as .xlsx with Japanese headings, oldest entry first, and a sheet about it.

    Text that a spreadsheet would take for a formula is written as text
    (kitei.core.tabular.write_xlsx).
    """
    spec = book_of(organization, book)
    entries = (
        _entries(organization)
        .filter(book=spec.id)
        .select_related("about")
        .order_by("recorded_at", "pk")
    )
    headings = _headings(spec)
    sheet = tabular.Sheet(
        title=_sheet_title(spec.title),
        headings=headings,
        rows=_rows(spec, entries),
        count=entries.count(),
        widths=[10, 18, 14, *([24] * (len(headings) - 3))],
    )
    return tabular.write_xlsx([sheet, _about(spec)])
