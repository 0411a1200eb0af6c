"""Pieces both registers' endpoints share: references, paging, the pack, tenant lookups."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from kitei.core import access
from kitei.core.api.auth import ApiError
from kitei.core.models import Organization
from kitei.policy.model import Pack

M = TypeVar("M", bound=Model)

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
# Query parameters every list reads itself; any other is a filter of the register's FilterSet.
PAGING = ("limit", "offset")


class Ref(Schema):
    """Another register entry, by id and name."""

    id: int
    name: str


class Paging(Schema):
    """Pagination of a list (its filters are the register's FilterSet)."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"件数（最大{MAX_LIMIT}）")
    offset: int = Field(0, ge=0, description="先頭から飛ばす件数")


def ref(obj: Any) -> dict[str, Any] | None:
    """`{"id", "name"}` of a related row, or None."""
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def pack_of(organization: Organization) -> Pack:
    """The policy pack the organisation is bound to."""
    return access.engine_for(organization.pack_id, organization.pack_digest).pack


def lookup(queryset: QuerySet[M], organization: Organization, pk: int, what: str) -> M:
    """A referenced row of the caller's organisation, or 422 naming it (never another's)."""
    obj = access.scoped(queryset, organization).filter(pk=pk).first()
    if obj is None:
        raise ApiError(
            422, "invalid", _("{what}（id={pk}）はこの組織にありません。").format(what=what, pk=pk)
        )
    return obj


def get_or_404(queryset: QuerySet[M], organization: Organization, pk: int, what: str) -> M:
    """A row of the caller's organisation; another organisation's id is simply not found."""
    obj = access.scoped(queryset, organization).filter(pk=pk).first()
    if obj is None:
        raise ApiError(
            404, "not_found", _("{what}（id={pk}）は見つかりません。").format(what=what, pk=pk)
        )
    return obj


def zone_id(pack: Pack, name: str) -> str:
    """A network zone named by id, title or alias → its id, or 422."""
    for zone in pack.network.zones:
        if name in (zone.id, zone.title, *zone.aliases):
            return zone.id
    raise ApiError(
        422,
        "invalid",
        _("ネットワーク「{name}」はこの組織のポリシーにありません。").format(name=name),
    )


def references(
    organization: Organization,
    data: dict[str, Any],
    tables: dict[str, tuple[QuerySet[Any], str]],
) -> dict[str, Any]:
    """Request fields → service fields: each `x_id` in `tables` → row `x` of the organisation.

    An id of another organisation is refused like an unknown one (422).
    """
    result = {}
    for key, value in data.items():
        if key not in tables:
            result[key] = value
            continue
        queryset, what = tables[key]
        row = None if value is None else lookup(queryset, organization, value, what)
        result[key.removesuffix("_id")] = row
    return result


def null_fields(data: dict[str, Any], nullable: frozenset[str]) -> None:
    """Refuse an explicit null for a field that cannot be empty (PATCH)."""
    for key, value in data.items():
        if value is None and key not in nullable:
            raise ApiError(422, "invalid", _("{field}: null にはできません。").format(field=key))
