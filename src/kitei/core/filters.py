"""One filter definition per register list, shared by its page, the JSON API and the export.

A register's `RegisterFilterSet` (django-filter) reads the query string of all three the
same way: the same parameter names, the same values, the same meaning. It is always
scoped to one organisation (`access.scoped`), and it is strict: a value it cannot take
(an id of another organisation, a level the pack does not have, a misspelt parameter
name) is a `Problem` that names the parameter and says why in Japanese. The page shows
the problems above an empty list, the API answers 422 with them, the export refuses;
a bad filter never silently widens a list.

`q` searches the register's `search_fields` for the text as a part (kitei.core.textsearch:
SQLite FTS5 trigram or PostgreSQL pg_trgm indexes; LIKE for 1–2 characters).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kitei.core import access, textsearch
from kitei.core.models import Organization
from kitei.policy import classify
from kitei.policy.model import Pack

M = TypeVar("M", bound=Model)

MAX_SEARCH = 200  # characters of `q`


@dataclass(frozen=True, kw_only=True)
class Problem:
    """A query parameter a list cannot take: its name as given, its label, and why."""

    name: str
    label: str
    message: str

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


class InvalidFiltersError(ValueError):
    """Raised by `RegisterFilterSet.result` when a parameter cannot be taken."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.name}: {p.message}" for p in self.problems))


def pack_of(organization: Organization) -> Pack:
    """The policy pack the organisation is bound to."""
    return access.engine_for(organization.pack_id, organization.pack_digest).pack


# ----------------------------------------------------------------------------- form fields


class RowField(forms.Field):
    """The id of a row of the organisation (department, person, system), or None."""

    def __init__(self, *, queryset: QuerySet[Any] | None = None, what: str = "", **kw: Any):
        self.queryset = queryset
        self.what = what
        super().__init__(**kw)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not text.isdigit() or len(text) > 18:
            raise ValidationError(_("整数で指定してください。"), code="invalid")
        pk = int(text)
        # Another organisation's id is refused like an unknown one: it is not there.
        if self.queryset is None or not self.queryset.filter(pk=pk).exists():
            raise ValidationError(
                _("%(what)s（id=%(pk)d）はこの組織にありません。") % {"what": self.what, "pk": pk},
                code="invalid_choice",
            )
        return pk


class ValueField(forms.Field):
    """One of fixed values (a TextChoices' values, true/false), else an error listing them."""

    def __init__(self, *, values: Sequence[str] = (), refusal: str = "", **kw: Any) -> None:
        self.values = tuple(values)
        self.refusal = refusal  # the message for any other value; by default, the list
        super().__init__(**kw)

    def to_python(self, value: Any) -> str | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if text not in self.values:
            message = str(self.refusal) or _("次のいずれかを指定してください: %(values)s。") % {
                "values": "、".join(self.values)
            }
            raise ValidationError(message, code="invalid_choice")
        return text


class NameField(forms.Field):
    """A pack identifier given by id, title or alias (`names` maps each to the id)."""

    def __init__(
        self, *, names: Mapping[str, str] | None = None, unknown: str = "", **kw: Any
    ) -> None:
        self.names = dict(names or {})
        self.unknown = unknown  # a message with %(name)s
        super().__init__(**kw)

    def to_python(self, value: Any) -> str | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if text not in self.names:
            raise ValidationError(self.unknown % {"name": text}, code="invalid_choice")
        return self.names[text]


class LevelsField(forms.Field):
    """Levels of one classification axis (ids or titles, the parameter repeated for several)."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, pack: Pack | None = None, axis: str = "", **kw: Any) -> None:
        self.pack = pack
        self.axis = axis
        super().__init__(**kw)

    def to_python(self, value: Any) -> list[str]:
        texts = [str(v).strip() for v in (value or ()) if str(v).strip()]
        levels: list[str] = []
        for text in texts:
            if self.pack is None:
                break
            try:
                resolved = classify.normalise(self.pack, {self.axis: text}, complete=False)
            except classify.ClassificationError as exc:
                raise ValidationError(str(exc), code="invalid_choice") from None
            levels.append(resolved[self.axis])
        return levels


# ---------------------------------------------------------------------------------- filters


class RowFilter(django_filters.Filter):
    """A row of the organisation by id (`rows`: its model; the FilterSet scopes it)."""

    field_class = RowField

    def __init__(self, *args: Any, rows: type[Model], **kwargs: Any) -> None:
        self.rows = rows
        super().__init__(*args, **kwargs)


class ValueFilter(django_filters.Filter):
    """Exactly one of fixed values."""

    field_class = ValueField


class TrueFalseFilter(django_filters.Filter):
    """`true` or `false`."""

    field_class = ValueField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("values", ("true", "false"))
        kwargs.setdefault("refusal", gettext_lazy("true か false で指定してください。"))
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value in (None, ""):
            return qs
        return qs.filter(**{str(self.field_name): value == "true"})


class NameFilter(django_filters.Filter):
    """A pack identifier by id, title or alias; the FilterSet sets `names` and `unknown`."""

    field_class = NameField


class LevelsFilter(django_filters.Filter):
    """Any of some levels of one axis, stored as a level id in `field_name`."""

    field_class = LevelsField

    def filter(self, qs: QuerySet[Any], value: Any, path: str = "") -> QuerySet[Any]:
        """Rows at any of the levels; `path` is the field or alias (default `field_name`)."""
        if not value:
            return qs
        path = path or str(self.field_name)
        # One level is an equality, as the list's indexes were planned for; several, IN.
        if len(value) == 1:
            return qs.filter(**{path: value[0]})
        return qs.filter(**{f"{path}__in": value})


def zone_names(pack: Pack) -> dict[str, str]:
    """Every name of the pack's network zones (id, title, alias) → the zone id."""
    return {n: z.id for z in pack.network.zones for n in (z.id, z.title, *z.aliases)}


def axis_names(pack: Pack, axes: Iterable[str] | None = None) -> dict[str, str]:
    """Every name of the pack's classification axes (id, title, alias) → the axis id."""
    return {
        n: a.id
        for a in pack.classification.axes
        if axes is None or a.id in axes
        for n in (a.id, a.title, *a.aliases)
    }


# ------------------------------------------------------------------------------- the base


class RegisterFilterSet(django_filters.FilterSet):
    """A register list's filters: scoped to one organisation, strict, with `q` search.

    `allowed` names the parameters the surface reads itself (`page`; `limit`, `offset`;
    `format`); any other name that is no filter is a problem. Subclasses declare their
    filters, set `search_fields`, and add pack-dependent ones in `configure`.
    """

    search_fields: ClassVar[tuple[str, ...]] = ("name",)
    # The table whose SQLite FTS5 table indexes `search_fields` (None: LIKE only).
    search_table: ClassVar[str | None] = None
    q = django_filters.CharFilter(
        method="search",
        max_length=MAX_SEARCH,
        error_messages={"max_length": gettext_lazy("%(limit_value)d文字以内で指定してください。")},
        label=gettext_lazy("検索"),
        help_text=gettext_lazy("部分一致検索"),
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        *,
        organization: Organization,
        queryset: QuerySet[Any] | None = None,
        allowed: Iterable[str] = (),
    ) -> None:
        self.organization = organization
        self.pack = pack_of(organization)
        self.allowed = frozenset(allowed)
        self.spelled: dict[str, str] = {}  # canonical name → the name the query used
        # _meta is set by django-filter's metaclass; its stubs leave it out.
        model = self._meta.model  # type: ignore[attr-defined]
        self.model: type[Model] = model
        base = queryset if queryset is not None else model._default_manager.all()
        super().__init__(
            None if data is None else self._normalise(data),
            queryset=access.scoped(base, organization),
        )
        self.configure()
        for filter_ in self.filters.values():
            if isinstance(filter_, RowFilter):
                rows = filter_.rows._default_manager.all()
                filter_.extra["queryset"] = access.scoped(rows, organization)

    def add_filter(self, name: str, filter_: django_filters.Filter) -> None:
        """Add a filter to this instance (one that depends on the pack)."""
        # model and parent, as FilterSet.__init__ gives its declared filters (not in the stubs)
        filter_.model = self.model  # type: ignore[attr-defined]
        filter_.parent = self  # type: ignore[attr-defined]
        self.filters[name] = filter_

    def configure(self) -> None:
        """Add or set up filters that depend on the organisation's pack."""

    def configure_zones(self, name: str = "zone") -> None:
        """The `name` filter takes the pack's network zones, by id or title."""
        self.filters[name].extra.update(
            names=zone_names(self.pack),
            unknown=_("ネットワーク「%(name)s」はこの組織のポリシーにありません。"),
        )

    def aliases(self) -> Mapping[str, str]:
        """Other accepted parameter names → the filter name (axis titles, …)."""
        return {}

    def unknown_reason(self, name: str) -> str | None:
        """Why a parameter that is no filter is refused, when a register says it better."""
        return None

    def _normalise(self, data: Mapping[str, Any]) -> QueryDict:
        """The query with alias names turned into filter names (values merged)."""
        aliases = self.aliases()
        result = QueryDict(mutable=True)
        for key in data:
            name = aliases.get(key, key)
            self.spelled.setdefault(name, key)
            values = data.getlist(key) if isinstance(data, QueryDict) else [data[key]]
            result.setlist(name, [*result.getlist(name), *values])
        return result

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """`q`: a part of any of `search_fields` (case-insensitive for Latin letters)."""
        return textsearch.contains(queryset, value, self.search_fields, table=self.search_table)

    @property
    def problems(self) -> list[Problem]:
        """Every parameter that cannot be taken, in the query's order; [] when all can."""
        if not self.is_bound:
            return []
        found: list[Problem] = []
        known = set(self.filters) | self.allowed
        errors = self.form.errors.as_data()
        for name in list(self.data or ()):
            spelled = self.spelled.get(name, name)
            if name not in known:
                found.append(Problem(name=spelled, label=spelled, message=self._refusal(spelled)))
            for error in errors.get(name, []):
                label = str(self.filters[name].label or spelled)
                for message in error.messages:
                    found.append(Problem(name=spelled, label=label, message=message))
        return found

    def _refusal(self, name: str) -> str:
        reason = self.unknown_reason(name)
        if reason is not None:
            return reason
        names = "、".join([*self.filters, *sorted(self.allowed)])
        return _("検索条件「%(name)s」は使えません（使える条件: %(names)s）。") % {
            "name": name,
            "names": names,
        }

    def result(self) -> QuerySet[Any]:
        """The organisation's rows that match; InvalidFiltersError when a parameter is bad."""
        problems = self.problems
        if problems:
            raise InvalidFiltersError(problems)
        return self.qs

    @property
    def active(self) -> bool:
        """Whether any filter narrows the list."""
        if not self.is_bound or not self.form.is_valid():
            return False
        return any(v not in (None, "", []) for v in self.form.cleaned_data.values())

    @property
    def selected(self) -> dict[str, str]:
        """Each filter's value as the page's form shows it (an axis: its first level).

        When a value cannot be taken, the form shows what was sent, to be corrected.
        """
        if not self.is_bound:
            return {}
        if not self.form.is_valid():
            sent = self.data or {}
            return {n: str(sent[n]) for n in self.filters if sent.get(n)}
        shown: dict[str, str] = {}
        for name, value in self.form.cleaned_data.items():
            first = (value[0] if value else None) if isinstance(value, list) else value
            if first not in (None, ""):
                shown[name] = str(first)
        return shown


def parameters(filterset: type[RegisterFilterSet]) -> list[dict[str, Any]]:
    """The FilterSet's declared filters as OpenAPI query parameters (for /api/docs)."""
    result = []
    for name, filter_ in filterset.base_filters.items():
        schema: dict[str, Any] = {"type": "string"}
        if isinstance(filter_, RowFilter):
            schema = {"type": "integer"}
        elif isinstance(filter_, ValueFilter | TrueFalseFilter):
            schema = {"type": "string", "enum": list(filter_.extra.get("values", ()))}
        text = " ".join(str(t) for t in (filter_.label, filter_.extra.get("help_text")) if t)
        result.append(
            {"in": "query", "name": name, "required": False, "description": text, "schema": schema}
        )
    return result


@dataclass(frozen=True, kw_only=True)
class ListPage:
    """One page of a filtered list page, or an empty one and the problems of its filters."""

    page: Page[Any]
    problems: list[Problem]
    status: int


def paginate(request: HttpRequest, listed: Callable[[], QuerySet[Any]], size: int) -> ListPage:
    """The page `?page=` asks for, cut by the database; on a bad filter none, and 400.

    htmx swaps only successful answers, so its requests get 200: the problems must
    still reach the list they replace.
    """
    found_none: list[Any] = []
    try:
        found = listed()
    except InvalidFiltersError as exc:
        status = 200 if getattr(request, "htmx", False) else 400
        empty = Paginator(found_none, size).get_page(1)
        return ListPage(page=empty, problems=exc.problems, status=status)
    page = Paginator(found, size).get_page(request.GET.get("page"))
    return ListPage(page=page, problems=[], status=200)


def refused_export(request: HttpRequest, error: InvalidFiltersError, list_url: str) -> HttpResponse:
    """The 400 page of an export whose filters cannot be taken: the problems, a way back."""
    context = {"problems": error.problems, "list_url": list_url}
    return render(request, "core/filter_refused.html", context, status=400)
