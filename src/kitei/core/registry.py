"""What the home page shows, registered by the apps that know it (core imports none of them).

Two kinds of provider, each registered once from an app's `AppConfig.ready`:

- **home items** (`register_home_item`): the lines of 「あなたの対応待ち」, what waits on
  the person who is looking (requests to approve, take-outs to return …). A provider gets
  the request, the organisation and the user's Person and returns `HomeItem`s, each with a
  count and the URL of a list filtered to exactly the items counted; it returns nothing
  when the line does not concern the person (no grant, no system managed …).
- **figures** (`register_figure`): a card of the organisation's figures (the registers,
  the record books …), as a template and the values it reads, or None when the user may
  not see it.

Providers run in `order`, lowest first; every query they make is theirs to scope and check
through `kitei.core.access`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from kitei.core.models import Organization


@dataclass(frozen=True, kw_only=True)
class HomeItem:
    """One line of 「あなたの対応待ち」: what waits, how many, the list of exactly those."""

    key: str  # a stable id, e.g. "approvals.inbox" (the page's element id, tests)
    title: str
    count: int
    url: str
    urgent: bool = False  # shown as overdue (返却期限超過, サポート終了) when the count is not 0
    note: str = ""  # one line under the title, e.g. who the item is for
    within: str = ""  # the key of the line this one is a part of (「うち…」): not added again


@dataclass(frozen=True, kw_only=True)
class HomeFigure:
    """A card of the organisation's figures: its template and the values it reads."""

    key: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


# (request, organisation, the user's Person in it) → the items that concern the person.
HomeItemProvider = Callable[[HttpRequest, Organization, Any], Iterable[HomeItem]]
# (request, organisation) → the card, or None when the user may not see it.
FigureProvider = Callable[[HttpRequest, Organization], HomeFigure | None]


@dataclass(frozen=True)
class _Registered:
    name: str
    order: int
    provider: Callable[..., Any]


_ITEMS: dict[str, _Registered] = {}
_FIGURES: dict[str, _Registered] = {}


def _register(
    table: dict[str, _Registered], name: str, provider: Callable[..., Any], order: int
) -> None:
    known = table.get(name)
    if known is not None and known.provider is not provider:
        raise ValueError(f"home provider {name!r} is registered twice")
    table[name] = _Registered(name, order, provider)


def register_home_item(name: str, provider: HomeItemProvider, *, order: int = 100) -> None:
    """Add a provider of 「あなたの対応待ち」 lines (an app calls this from ready())."""
    _register(_ITEMS, name, provider, order)


def register_figure(name: str, provider: FigureProvider, *, order: int = 100) -> None:
    """Add a provider of a home-page card of figures (an app calls this from ready())."""
    _register(_FIGURES, name, provider, order)


def _ordered(table: Mapping[str, _Registered]) -> list[_Registered]:
    return sorted(table.values(), key=lambda r: (r.order, r.name))


def home_items(request: HttpRequest, organization: Organization, person: Any) -> list[HomeItem]:
    """Every registered provider's lines for the person, in the providers' order."""
    return [
        item
        for registered in _ordered(_ITEMS)
        for item in registered.provider(request, organization, person)
    ]


def home_figures(request: HttpRequest, organization: Organization) -> list[HomeFigure]:
    """Every registered card the user may see, in the providers' order."""
    cards = (registered.provider(request, organization) for registered in _ordered(_FIGURES))
    return [card for card in cards if card is not None]


def providers() -> dict[str, list[str]]:
    """The registered providers' names by kind (for tests and `kitei check`-like listings)."""
    return {
        "items": [r.name for r in _ordered(_ITEMS)],
        "figures": [r.name for r in _ordered(_FIGURES)],
    }
