"""Periods of a fiscal year: ISO 8601 intervals anchored at 4月1日.

A period runs from its first day to the day before the next one starts (both inclusive);
its due date is its last day. P1M from 2026-04-01 gives 4/1–4/30 … 3/1–3/31 (12 periods),
P3M ends on 6/30, 9/30, 12/31 and 3/31. A period never runs past 3月31日: the last one is cut
at the end of the fiscal year. Only years, months, weeks and days are calendar intervals.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_INTERVAL = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


@dataclass(frozen=True)
class Interval:
    """A calendar interval: years, months, weeks and days."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0

    def after(self, day: date, times: int = 1) -> date:
        """The day `times` intervals after `day` (month ends clamp: 1/31 + P1M = 2/28 or 2/29)."""
        months = day.month - 1 + (self.months + 12 * self.years) * times
        year, month = day.year + months // 12, months % 12 + 1
        last = calendar.monthrange(year, month)[1]
        moved = date(year, month, min(day.day, last))
        return moved + timedelta(days=(self.days + 7 * self.weeks) * times)


def parse_interval(value: str) -> Interval:
    """An ISO 8601 calendar interval (P1M, P3M, P1Y, P2W, P30D), or a Japanese ValidationError."""
    match = _INTERVAL.match(value or "")
    if match is None or value == "P":
        raise ValidationError(
            _(
                "間隔は ISO 8601 の期間（例: P1M = 毎月、P3M = 四半期ごと、P1Y = 毎年度）で"
                "入力してください。"
            ),
            code="interval",
        )
    years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
    if years == months == weeks == days == 0:
        raise ValidationError(_("間隔に0は指定できません。"), code="interval")
    return Interval(years=years, months=months, weeks=weeks, days=days)


def periods(start: date, end: date, interval: Interval) -> list[tuple[date, date]]:
    """The periods of `interval` from `start` up to `end` (the last one cut at `end`)."""
    result = []
    current, step = start, 1
    while current <= end:
        following = interval.after(start, step)  # from the anchor: no drift at month ends
        result.append((current, min(following - timedelta(days=1), end)))
        current, step = following, step + 1
    return result
