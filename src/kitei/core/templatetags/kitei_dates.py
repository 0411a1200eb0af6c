"""Dates as a Japanese document prints them: `{{ value|wareki }}` → 令和8年12月7日.

In English mode the same filter gives the ISO date (2026-12-07): an era name means nothing
to a reader of the English pages. A datetime is read in the site's time zone (Asia/Tokyo).
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.translation import get_language

from kitei.core.fiscal import fiscal_year_label, wareki_date

register = template.Library()


def _day(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.filter
def wareki(value: date | datetime | None) -> str:
    """令和8年12月7日 in Japanese, 2026-12-07 otherwise; empty for no date."""
    if value is None or value == "":
        return ""
    day = _day(value)
    if (get_language() or "ja").startswith("ja"):
        return wareki_date(day)
    return day.isoformat()


@register.filter
def wareki_time(value: datetime | None) -> str:
    """令和8年12月7日 09:30 in Japanese, 2026-12-07 09:30 otherwise."""
    if value is None or value == "":
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{wareki(local.date())} {local:%H:%M}"


@register.filter
def fiscal_year(value: int | str | None) -> str:
    """A fiscal year (its 4月1日's calendar year) as 令和8年度, or 2026 in English."""
    if value is None or value == "":
        return ""
    if (get_language() or "ja").startswith("ja"):
        return fiscal_year_label(int(value))
    return str(value)
