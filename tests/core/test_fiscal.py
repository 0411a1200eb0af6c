"""The fiscal year and 和暦 labels every page and report prints."""

from __future__ import annotations

from datetime import date

from kitei.core.fiscal import fiscal_year, fiscal_year_bounds, fiscal_year_label, wareki_date


def test_wareki_dates() -> None:
    assert wareki_date(date(2026, 12, 7)) == "令和8年12月7日"
    assert wareki_date(date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki_date(date(2019, 4, 30)) == "平成31年4月30日"
    assert wareki_date(date(1980, 1, 1)) == "1980年1月1日"


def test_fiscal_year_labels_and_bounds() -> None:
    assert fiscal_year(date(2027, 3, 31)) == 2026
    assert fiscal_year(date(2027, 4, 1)) == 2027
    assert fiscal_year_label(2026) == "令和8年度"
    assert fiscal_year_label(2019) == "令和元年度"
    assert fiscal_year_label(2018) == "平成30年度"
    assert fiscal_year_bounds(2026) == (date(2026, 4, 1), date(2027, 3, 31))
