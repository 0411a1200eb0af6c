"""Keyset pages of a register list (issue 16): no OFFSET, whatever page is asked for.

A list ordered newest first by (`field`, id) is cut at a row named in the query string:

- no parameter: the newest `size` rows;
- `after=ID`: the `size` rows that come after row ID in the list's order (次へ);
- `before=ID`: the `size` rows that come just before it (前へ);
- `last=1`: the oldest `size` rows (最後へ).

The total is counted up to 1,000 (「1,000 件以上」 beyond). Each page is one range read of
the index that serves the list's order (`(organization,
created_at, id)` for assets, or the index of the filter), stopping after `size + 1` rows,
plus a look-up of row ID by its key. The order is stable: rows added meanwhile never move
a row from one page to another. Row ID is looked up in the same filtered list, so an id
of another organisation (or one the filters leave out) is refused like a bad filter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from kitei.core.filters import InvalidFiltersError, Problem

PARAMETERS = ("after", "before", "last")
# The list counts its rows up to this many and says 「1,000 件以上」 beyond: counting every
# row of a filtered million reads them all (issue 16), on every page.
COUNT_LIMIT = 1000  # the asset list's template says 「1,000 件以上」


@dataclass(frozen=True, kw_only=True)
class KeysetPage:
    """One page of a list: its rows, whether others come before or after, and the total
    (counted up to COUNT_LIMIT + 1: `more` when there are more than COUNT_LIMIT)."""

    object_list: list[Any]
    has_previous: bool
    has_next: bool
    count: int

    @property
    def more(self) -> bool:
        return self.count > COUNT_LIMIT

    @property
    def first_key(self) -> int | None:
        """The id of the page's first row (`before=` of the previous page)."""
        return self.object_list[0].pk if self.object_list else None

    @property
    def last_key(self) -> int | None:
        """The id of the page's last row (`after=` of the next page)."""
        return self.object_list[-1].pk if self.object_list else None

    @property
    def other_pages(self) -> bool:
        return self.has_previous or self.has_next


@dataclass(frozen=True, kw_only=True)
class KeysetListPage:
    """A page of a filtered list, or an empty one and the problems of its parameters."""

    page: KeysetPage
    problems: list[Problem]
    status: int


def _key(request: HttpRequest, name: str) -> int | None:
    text = request.GET.get(name, "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 18:
        raise InvalidFiltersError(
            [Problem(name=name, label=name, message=_("ページの指定が正しくありません。"))]
        )
    return int(text)


def _anchor(queryset: QuerySet[Any], field: str, name: str, pk: int) -> Any:
    """The value of `field` of row `pk` of the list (it must be in the list)."""
    found = queryset.filter(pk=pk).values_list(field, flat=True).first()
    if found is None:
        message = _("ページの指定（id=%(pk)d）は、この一覧にありません。") % {"pk": pk}
        raise InvalidFiltersError([Problem(name=name, label=name, message=message)])
    return found


def page(request: HttpRequest, queryset: QuerySet[Any], size: int, field: str) -> KeysetPage:
    """The page the query string asks for of a list ordered newest first by (field, id)."""
    after, before = _key(request, "after"), _key(request, "before")
    last = request.GET.get("last", "") == "1"
    newest_first = queryset.order_by(f"-{field}", "-pk")
    oldest_first = queryset.order_by(field, "pk")
    if after is not None:
        value = _anchor(queryset, field, "after", after)
        older = Q(**{f"{field}__lt": value}) | Q(**{field: value, "pk__lt": after})
        # The first condition bounds the index range; the second settles equal values.
        rows = list(newest_first.filter(Q(**{f"{field}__lte": value}), older)[: size + 1])
        has_previous, has_next = True, len(rows) > size
        rows = rows[:size]
    elif before is not None:
        value = _anchor(queryset, field, "before", before)
        newer = Q(**{f"{field}__gt": value}) | Q(**{field: value, "pk__gt": before})
        rows = list(oldest_first.filter(Q(**{f"{field}__gte": value}), newer)[: size + 1])
        has_previous, has_next = len(rows) > size, True
        rows = rows[:size][::-1]
    elif last:
        rows = list(oldest_first[: size + 1])
        has_previous, has_next = len(rows) > size, False
        rows = rows[:size][::-1]
    else:
        rows = list(newest_first[: size + 1])
        has_previous, has_next = False, len(rows) > size
        rows = rows[:size]
    counted = queryset.order_by()[: COUNT_LIMIT + 1].count()
    return KeysetPage(object_list=rows, has_previous=has_previous, has_next=has_next, count=counted)


def paginate(
    request: HttpRequest, listed: Callable[[], QuerySet[Any]], size: int, field: str
) -> KeysetListPage:
    """The keyset page of a filtered list; on a bad filter or page parameter none, and 400.

    htmx swaps only successful answers, so its requests get 200 (as `filters.paginate`).
    """
    try:
        return KeysetListPage(page=page(request, listed(), size, field), problems=[], status=200)
    except InvalidFiltersError as exc:
        status = 200 if getattr(request, "htmx", False) else 400
        empty = KeysetPage(object_list=[], has_previous=False, has_next=False, count=0)
        return KeysetListPage(page=empty, problems=exc.problems, status=status)
