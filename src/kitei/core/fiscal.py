"""The Japanese fiscal year (年度, 4月1日 – 3月31日) and 和暦 labels, for every app of kitei.

A public body names years by era: 2026-04-01 … 2027-03-31 is 令和8年度, and a date in a
document reads 令和8年12月7日. The fiscal year is identified by the calendar year of its
4月1日 (`fiscal_year`, in `kitei.core.numbering`); this module adds its bounds and the labels
pages and reports print. Dates before 平成 keep the Western year: never an invented era.
"""

from __future__ import annotations

from datetime import date

from kitei.core.numbering import fiscal_year

__all__ = ["era_label", "fiscal_year", "fiscal_year_bounds", "fiscal_year_label", "wareki_date"]

# Eras by their first day; a date on or after it is counted in that era.
_ERAS = ((date(2019, 5, 1), "令和"), (date(1989, 1, 8), "平成"))


def era_label(year: int, *, first_day: date) -> str:
    """The era and year of a day as printed: 令和8年, 令和元年 for an era's first year."""
    for start, name in _ERAS:
        if first_day >= start:
            number = year - start.year + 1
            return f"{name}{'元' if number == 1 else number}年"
    return f"{year}年"


def wareki_date(day: date) -> str:
    """A date as a Japanese document prints it: 2026-12-07 → 令和8年12月7日."""
    return f"{era_label(day.year, first_day=day)}{day.month}月{day.day}日"


def fiscal_year_label(year: int) -> str:
    """A fiscal year as printed: 2026 → 令和8年度; 2019 → 令和元年度; 2018 → 平成30年度.

    The fiscal year that began on 2019-04-01 is 令和元年度, as the public bodies write it
    (the era of the year's end names it).
    """
    first_day = date(year, 4, 1) if year != 2019 else date(2019, 5, 1)
    return f"{era_label(year, first_day=first_day)}度"


def fiscal_year_bounds(year: int) -> tuple[date, date]:
    """The first and last day of a fiscal year: 2026 → (2026-04-01, 2027-03-31)."""
    return date(year, 4, 1), date(year + 1, 3, 31)
