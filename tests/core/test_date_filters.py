"""The `wareki` filters: 和暦 in Japanese documents, ISO dates in English mode."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.utils import translation

from kitei.core.templatetags.kitei_dates import fiscal_year, wareki, wareki_time


def test_wareki_reads_the_day_in_tokyo() -> None:
    late = datetime(2027, 3, 31, 15, 30, tzinfo=UTC)  # 4月1日 00:30 in Tokyo: the next day
    with translation.override("ja"):
        assert wareki(late) == "令和9年4月1日"
        assert wareki_time(late) == "令和9年4月1日 00:30"
        assert wareki(date(2026, 12, 7)) == "令和8年12月7日"
        assert fiscal_year(2026) == "令和8年度"
        assert wareki(None) == ""
    with translation.override("en"):
        assert wareki(late) == "2027-04-01"
        assert fiscal_year(2026) == "2026"
