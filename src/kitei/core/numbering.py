"""Numbers of requests and record book entries: per organisation and fiscal year, R8-0001.

A Japanese public body numbers its documents within the fiscal year (4月1日 – 3月31日) and
names the year by its era: 2026-04-01 … 2027-03-31 is 令和8年度, shown `R8`. The number is
taken from `core.NumberCounter` under a row lock (SELECT … FOR UPDATE on PostgreSQL; SQLite
serialises writers itself) inside the transaction that writes the document: a filing that
fails gives its number back with everything else, and two filings at once never share one.
URLs keep the primary key; people read the number.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from kitei.core.models import NumberCounter, Organization

REQUEST = "request"
"""The counter of requests (申請)."""

# Eras by the first fiscal year they name: 令和 began on 2019-05-01, so the fiscal year that
# began on 2019-04-01 is 令和元年度 (R1), as the public bodies' documents write it.
ERAS = ((2019, "R"), (1989, "H"))


def book_kind(book: str) -> str:
    """The counter of one record book: its entries are numbered within the book."""
    return f"records:{book}"


def fiscal_year(day: date) -> int:
    """The fiscal year a day belongs to, as the calendar year of its 4月1日."""
    return day.year if day.month >= 4 else day.year - 1


def era_year(year: int) -> str:
    """A fiscal year as its era and year: 2026 → R8, 2019 → R1, 2018 → H30."""
    for first, letter in ERAS:
        if year >= first:
            return f"{letter}{year - first + 1}"
    return str(year)  # before 平成: the Western year, never an invented era


def display(year: int, number: int) -> str:
    """The number people read: R8-0001 (four digits at least)."""
    return f"{era_year(year)}-{number:04d}"


def next_number(organization: Organization, kind: str, *, on: date | None = None) -> str:
    """Take the next number of `kind` in the fiscal year of `on` (today in Japan).

    Must run inside the transaction that writes the numbered document.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the transaction of the document")
    year = fiscal_year(on or timezone.localdate())
    # get_or_create survives two first filings of a year at once (the loser re-reads the
    # row the winner inserted); the lock then orders everyone who takes a number.
    NumberCounter.objects.get_or_create(organization=organization, kind=kind, fiscal_year=year)
    counter = NumberCounter.objects.select_for_update().get(
        organization=organization, kind=kind, fiscal_year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return display(year, counter.last)
