"""Where the record books plug into requests, so that approvals never imports them.

The record books (`kitei.records`) sit above approvals: an entry records what a request
allowed, and completing it completes the request. What a request page, the inbox or the
filing service needs from the books is registered here by `RecordsConfig.ready`:

- `after_filing(request, actor)`: run inside the filing transaction (a permitted emergency
  exception opens its 要事後報告 entry, 002 8-4(2));
- `reports_awaited(organization)`: the 事後報告 still to be received, for the inbox, its
  badge and the home page of whoever may receive them;
- `request_records(request)`: the entries recorded for a request and the books it is still
  to be recorded in, for its page;
- `overdue_returns(organization, today)`: how many take-outs are past their return date.

With nothing registered (approvals alone), each answers "nothing".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from kitei.approvals.models import Request
    from kitei.core.models import Organization
    from kitei.core.services import Actor


@dataclass(frozen=True, kw_only=True)
class RequestRecords:
    """The entries recorded for a request, and the books it is still to be recorded in."""

    entries: list[Any] = field(default_factory=list)
    to_record: list[Any] = field(default_factory=list)


@dataclass(kw_only=True)
class _Registry:
    after_filing: list[Callable[[Request, Actor], None]] = field(default_factory=list)
    reports_awaited: Callable[[Organization], QuerySet[Any]] | None = None
    request_records: Callable[[Request], RequestRecords] | None = None
    overdue_returns: Callable[[Organization, date], int] | None = None


_REGISTRY = _Registry()


def register(
    *,
    after_filing: Callable[[Request, Actor], None] | None = None,
    reports_awaited: Callable[[Organization], QuerySet[Any]] | None = None,
    request_records: Callable[[Request], RequestRecords] | None = None,
    overdue_returns: Callable[[Organization, date], int] | None = None,
) -> None:
    """Plug an app above approvals in (each hook once; registering again replaces it)."""
    if after_filing is not None and after_filing not in _REGISTRY.after_filing:
        _REGISTRY.after_filing.append(after_filing)
    if reports_awaited is not None:
        _REGISTRY.reports_awaited = reports_awaited
    if request_records is not None:
        _REGISTRY.request_records = request_records
    if overdue_returns is not None:
        _REGISTRY.overdue_returns = overdue_returns


def after_filing(request: Request, actor: Actor) -> None:
    """Run every registered after-filing hook (inside the filing transaction)."""
    for hook in _REGISTRY.after_filing:
        hook(request, actor)


def reports_awaited(organization: Organization) -> QuerySet[Any] | None:
    """The 事後報告 still to be received, or None when no app keeps them."""
    hook = _REGISTRY.reports_awaited
    return hook(organization) if hook is not None else None


def request_records(request: Request) -> RequestRecords:
    """The request's entries and the books still to record it in (none without the books)."""
    hook = _REGISTRY.request_records
    return hook(request) if hook is not None else RequestRecords()


def overdue_returns(organization: Organization, today: date) -> int | None:
    """How many take-outs are past their return date, or None when no app tracks them."""
    hook = _REGISTRY.overdue_returns
    return hook(organization, today) if hook is not None else None
