"""The record books of an organisation, as its pack defines them, plus the ones kitei keeps.

The pack names each book, its fields, clause and retention. What a book is *for* is read
from the pack too: a book is the disposal record when the pack's `asset.dispose` rules
record into it, the entry log when `area.enter` rules do, and so on (PURPOSES); a book
needs a second person's confirmation when it records an action that a `two_person_work`
separation covers (002 7-1(4)ウ: 2名以上で作業し、互いにその作業を確認).

Two books are kitei's own, never presented as required by the policy:
- `x.take-out` 持出記録（返却管理）: the mito seed requires no take-out book, but returns
  must be tracked (expected and actual return, overdue reminders). A pack that records
  `asset.take_out` into a book of its own replaces it.
- `x.exception-review` 例外措置の状況の確認: the CISO's periodic review of the exception
  documents (002 8-4(3)), present when the pack has an exception book.

Fields (checked here by `clean_fields`): a pack book's fields are all required (the pack
schema has no optional flag, and a field the seed names is one it requires recorded).
Where the pack names no fields, kitei supplies them (`fields_by == "kitei"`): the visit
columns for the entry log, the take-out columns, or one free-text 記録内容.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, NamedTuple

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.models import Organization
from kitei.people.models import Person
from kitei.policy.model import UNSPECIFIED, Pack, RecordBook

TAKE_OUT = "x.take-out"
EXCEPTION_REVIEW = "x.exception-review"

Purpose = Literal["", "take_out", "disposal", "entry_log", "work", "exception", "exception_review"]

# The canonical action whose pack rules name a book decides what the book is for.
PURPOSES: dict[str, Purpose] = {
    "asset.take_out": "take_out",
    "asset.dispose": "disposal",
    "area.enter": "entry_log",
    "exception.request": "exception",
}
ACTIONS: dict[str, str] = {purpose: action for action, purpose in PURPOSES.items()}

# The fields complete_disposal fills (002 3(2)コ(イ) 日時、担当者の氏名及び処理内容; 003 2(2)ウ).
DISPOSAL_FIELDS = ("datetime", "person_in_charge", "processing")

MAX_VALUE = 4000  # characters of one field


class Column(NamedTuple):
    """A field of a book: its id (the key in RecordEntry.fields) and its heading."""

    id: str
    title: str


@dataclass(frozen=True, kw_only=True)
class Book:
    """One record book as the pages, the API and the services see it."""

    id: str
    title: str
    fields: tuple[Column, ...]
    optional: frozenset[str] = frozenset()  # field ids that may stay empty (kitei's only)
    clause: str  # as printed in the seed; "" for kitei's own books
    quote: str
    source: str  # the seed file
    retention: str  # ISO 8601 duration or "unspecified"
    kept_by: Literal["pack", "kitei"]
    fields_by: Literal["pack", "kitei"]
    note: str = ""  # why kitei keeps it, for kitei's own books and fields
    purpose: Purpose = ""
    action: str = ""  # the canonical action whose requests the book records
    confirmation: tuple[str, str] | None = None  # (clause, quote) of the two-person rule

    @property
    def required(self) -> tuple[Column, ...]:
        """The fields an entry must fill."""
        return tuple(c for c in self.fields if c.id not in self.optional)


def _visit_columns() -> tuple[Column, ...]:
    return (
        Column("area", _("管理区域")),
        Column("name", _("氏名")),
        Column("affiliation", _("所属")),
        Column("escort", _("付添者")),
        Column("entered_at", _("入室日時")),
        Column("left_at", _("退室日時")),
    )


VISIT_OPTIONAL = frozenset({"affiliation", "escort", "left_at"})


def _take_out_columns() -> tuple[Column, ...]:
    return (
        Column("item", _("持ち出す情報資産等")),
        Column("destination", _("持出先")),
        Column("purpose", _("持出しの目的")),
        Column("taken_at", _("持出日時")),
    )


def _purposes(pack: Pack) -> dict[str, tuple[Purpose, str]]:
    """Book id → (purpose, action), read from the actions whose rules record into it."""
    found: dict[str, tuple[Purpose, str]] = {}
    for rule in pack.rules:
        purpose = PURPOSES.get(rule.action)
        for book in rule.records:
            if purpose and book not in found:
                found[book] = (purpose, rule.action)
    return found


def _confirmations(pack: Pack) -> dict[str, tuple[str, str, str]]:
    """Book id → (action, clause, quote) for books of actions done by two persons or more."""
    covered = {
        action: (s.clause, s.quote)
        for s in pack.separation_of_duties
        if s.kind == "two_person_work" and (s.minimum_persons or 2) >= 2
        for action in s.actions
    }
    found: dict[str, tuple[str, str, str]] = {}
    for rule in pack.rules:
        if rule.action in covered:
            for book in rule.records:
                found.setdefault(book, (rule.action, *covered[rule.action]))
    return found


def _retention(pack: Pack, value: str) -> str:
    for parameter in pack.parameters:
        if parameter.id == value:
            return str(parameter.value)
    return value


def _pack_book(
    pack: Pack,
    book: RecordBook,
    purposes: dict[str, tuple[Purpose, str]],
    confirmations: dict[str, tuple[str, str, str]],
) -> Book:
    purpose, action = purposes.get(book.id, ("", ""))
    confirmation = confirmations.get(book.id)
    if confirmation is not None and not purpose:
        purpose, action = "work", confirmation[0]
    columns = tuple(Column(f.id, f.title) for f in book.fields)
    optional: frozenset[str] = frozenset()
    note = ""
    if not columns:
        note = _("規程は記録する項目を定めていないため、項目は kitei が補っています。")
        if purpose == "entry_log":
            columns, optional = _visit_columns(), VISIT_OPTIONAL
        elif purpose == "take_out":
            columns = _take_out_columns()
        else:
            columns = (Column("content", _("記録内容")),)
    return Book(
        id=book.id,
        title=book.title,
        fields=columns,
        optional=optional,
        clause=book.clause,
        quote=book.quote,
        source=book.source or pack.source,
        retention=_retention(pack, book.retention),
        kept_by="pack",
        fields_by="pack" if book.fields else "kitei",
        note=note,
        purpose=purpose,
        action=action,
        confirmation=confirmation[1:] if confirmation else None,
    )


def _take_out_book(pack: Pack) -> Book:
    return Book(
        id=TAKE_OUT,
        title=_("持出記録（返却管理）"),
        fields=_take_out_columns(),
        clause="",
        quote="",
        source=pack.source,
        retention=UNSPECIFIED,
        kept_by="kitei",
        fields_by="kitei",
        note=_(
            "規程が作成を求める記録簿ではありません。持ち出した情報資産等の返却予定と"
            "返却を確認し、返却の遅れを知らせるために kitei が記録します。"
        ),
        purpose="take_out",
        action="asset.take_out",
    )


def _review_book(pack: Pack, exception: Book) -> Book:
    """The CISO's periodic review, citing the pack's duty of the same clause when it has one."""
    duty = next((d for d in pack.periodic_duties if d.clause == exception.clause), None)
    return Book(
        id=EXCEPTION_REVIEW,
        title=duty.title if duty else _("例外措置の状況の確認"),
        fields=(Column("note", _("確認の結果")),),
        clause=exception.clause,
        quote=duty.quote if duty else exception.quote,
        source=exception.source,
        retention=exception.retention,
        kept_by="kitei",
        fields_by="kitei",
        note=_("例外措置の申請書等の状況を定期的に確認した結果を、kitei が記録します。"),
        purpose="exception_review",
    )


def books_for(organization: Organization) -> list[Book]:
    """Every book of the organisation: the pack's in pack order, then kitei's own."""
    pack = access.engine_for(organization.pack_id, organization.pack_digest).pack
    purposes, confirmations = _purposes(pack), _confirmations(pack)
    books = [_pack_book(pack, b, purposes, confirmations) for b in pack.record_books]
    if not any(b.purpose == "take_out" for b in books):
        books.append(_take_out_book(pack))
    exception = next((b for b in books if b.purpose == "exception"), None)
    if exception is not None:
        books.append(_review_book(pack, exception))
    return books


def book_of(organization: Organization, book_id: str) -> Book:
    """The organisation's book with this id; a Japanese ValidationError when it has none."""
    for book in books_for(organization):
        if book.id == book_id:
            return book
    raise ValidationError(
        _("記録簿「%(book)s」はこの組織のポリシーにありません。") % {"book": book_id}
    )


def book_for_purpose(organization: Organization, purpose: Purpose) -> Book:
    """The organisation's first book kept for `purpose`; ValidationError when there is none."""
    for book in books_for(organization):
        if book.purpose == purpose:
            return book
    titles = {
        "disposal": _("廃棄記録"),
        "entry_log": _("入退室管理簿"),
        "exception": _("例外措置の記録"),
    }
    raise ValidationError(
        _("この組織のポリシーには%(book)sが定められていません。")
        % {"book": titles.get(purpose, purpose)}
    )


def field_text(value: object) -> str:
    """A field value as stored: text, a date as ISO 8601, a time in Japan to the minute."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Person):
        return value.name
    return str(value).strip()


def clean_fields(
    book: Book, fields: Mapping[str, object], *, partial: bool = False
) -> dict[str, str]:
    """The values of `book`'s fields, every required one filled (unless `partial`)."""
    known = {c.id for c in book.fields}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise ValidationError(
            _("記録簿「%(book)s」に項目「%(field)s」はありません。")
            % {"book": book.title, "field": "」「".join(unknown)}
        )
    values = {c.id: field_text(fields.get(c.id)) for c in book.fields}
    too_long = [c.title for c in book.fields if len(values[c.id]) > MAX_VALUE]
    if too_long:
        raise ValidationError(
            _("%(fields)sは%(max)d文字以内で入力してください。")
            % {"fields": "、".join(too_long), "max": MAX_VALUE}
        )
    missing = [c.title for c in book.required if not values[c.id]]
    if missing and not partial:
        raise ValidationError(_("次の項目を入力してください：%s") % "、".join(missing))
    return values
