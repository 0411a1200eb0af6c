"""The request form's search-as-you-type choice of an asset or a system (issue 16).

A register of 100,000 assets cannot be a <select>: the form shows a search field instead.
With htmx, typing asks `choose_asset` / `choose_system` for at most CHOICES_LIMIT matching
names of the user's organisation, shown as radio buttons named like the form's field, so
the chosen id is what the form posts. Without JavaScript the typed text is posted with the
form: an id (the register's number) or a name that only one row contains is taken, several
matches are shown as the same radio buttons. A register of at most CHOICES_LIMIT rows is
listed whole from the start. The form's field still checks the id (scoped, in use).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from kitei.assets import queries as asset_queries
from kitei.core import access
from kitei.core.filters import MAX_SEARCH
from kitei.core.models import Organization
from kitei.systems import queries as system_queries

CHOICES_LIMIT = 20
"""The most options one search shows; more ask the user to type more of the name."""

KINDS = ("asset", "system")


@dataclass(frozen=True, kw_only=True)
class Option:
    """One row to choose: its id and how the form names it."""

    pk: int
    label: str


@dataclass(frozen=True, kw_only=True)
class Kind:
    """What is chosen: the field, its title, how rows are found and named."""

    name: str
    title: Any
    url_name: str
    matching: Callable[[Organization, str], list[Any]]
    by_id: Callable[[Organization, int], Any]
    label: Callable[[Any], str]


def _asset_label(asset: Any) -> str:
    return f"{asset.name}（{asset.department.name}）"


KIND = {
    "asset": Kind(
        name="asset",
        title=gettext_lazy("情報資産"),
        url_name="approvals:choose_asset",
        matching=lambda org, text: asset_queries.matching(org, text, limit=CHOICES_LIMIT + 1),
        by_id=asset_queries.in_use,
        label=_asset_label,
    ),
    "system": Kind(
        name="system",
        title=gettext_lazy("情報システム"),
        url_name="approvals:choose_system",
        matching=lambda org, text: system_queries.matching(org, text, limit=CHOICES_LIMIT + 1),
        by_id=system_queries.named,
        label=str,
    ),
}


@dataclass(kw_only=True)
class Chooser:
    """What one chooser shows: the text searched, the chosen row, the matches."""

    name: str
    url: str
    query: str = ""
    chosen: Option | None = None
    options: list[Option] = field(default_factory=list)
    more: bool = False  # more rows match than are shown
    searched: bool = False  # the options answer the query (else: the whole small register)

    @property
    def choices_id(self) -> str:
        """The id of the element holding the radio buttons (htmx's target)."""
        return f"{self.name}-choices"


def _id(text: str) -> int | None:
    """The id in typed text (「123」「#123」「ID 123」), or None."""
    digits = text.strip().lstrip("#").removeprefix("ID").removeprefix("id").strip()
    return int(digits) if digits.isdigit() and len(digits) < 19 else None


def build(
    kind_name: str, organization: Organization, *, query: str = "", chosen: Any = None
) -> Chooser:
    """The chooser for a search text (or none) with the chosen row's id (or none).

    Without a text, the options are the whole register when it has at most CHOICES_LIMIT
    rows, else none (the user searches).
    """
    kind = KIND[kind_name]
    query = query.strip()[:MAX_SEARCH]
    result = Chooser(name=kind.name, url=reverse(kind.url_name), query=query)
    chosen_id = chosen if isinstance(chosen, int) else _id(str(chosen or ""))
    if chosen_id is not None:
        row = kind.by_id(organization, chosen_id)
        if row is not None:
            result.chosen = Option(pk=row.pk, label=kind.label(row))
    found = kind.matching(organization, query)
    if query or len(found) <= CHOICES_LIMIT:
        result.searched = bool(query)
        result.more = len(found) > CHOICES_LIMIT
        skip = result.chosen.pk if result.chosen is not None else None
        result.options = [
            Option(pk=row.pk, label=kind.label(row))
            for row in found[:CHOICES_LIMIT]
            if row.pk != skip
        ]
    return result


def resolve(kind_name: str, organization: Organization, text: str) -> tuple[int | None, int]:
    """The id typed text names without JavaScript: (id, 1) or (None, how many matched).

    An id of a row of the organisation is taken as it is; otherwise a name that exactly
    one row contains.
    """
    kind = KIND[kind_name]
    pk = _id(text)
    if pk is not None and kind.by_id(organization, pk) is not None:
        return pk, 1
    found = kind.matching(organization, text.strip()[:MAX_SEARCH])
    return (found[0].pk, 1) if len(found) == 1 else (None, len(found))


def query_of(data: Mapping[str, Any], kind_name: str) -> str:
    """The search text posted for a chooser (`asset_q`, `system_q`)."""
    return str(data.get(f"{kind_name}_q") or "")


def _choose(request: HttpRequest, kind_name: str) -> HttpResponse:
    """The options for the typed text (htmx fragment), the chosen one first."""
    org = access.organization_of(request.user)
    access.require(request.user, "requests.file", org)
    if org is None:  # require() refused anyone without an organisation
        raise PermissionDenied("requests.file")
    chooser = build(
        kind_name,
        org,
        query=query_of(request.GET, kind_name),
        chosen=request.GET.get(kind_name),
    )
    return render(request, "approvals/_choices.html", {"chooser": chooser})


@login_required
@require_GET
def choose_asset(request: HttpRequest) -> HttpResponse:
    """At most CHOICES_LIMIT assets in use of the organisation whose name has `asset_q`."""
    return _choose(request, "asset")


@login_required
@require_GET
def choose_system(request: HttpRequest) -> HttpResponse:
    """At most CHOICES_LIMIT systems of the organisation whose name has `system_q`."""
    return _choose(request, "system")


def not_found_message(kind_name: str, text: str, count: int) -> str:
    """Why typed text chose nothing: no row has it, or several do."""
    title = KIND[kind_name].title
    if count == 0:
        return _("「%(text)s」を名称に含む%(what)sはありません。") % {"text": text, "what": title}
    return _("「%(text)s」を名称に含む%(what)sが複数あります。候補から選んでください。") % {
        "text": text,
        "what": title,
    }
