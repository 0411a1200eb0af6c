"""`/api/systems`: the information system register (情報システム台帳) and its software."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from kitei.core import access
from kitei.core.api import common
from kitei.core.api.auth import ApiError, Caller, TokenAuth, caller_of
from kitei.core.api.common import Ref
from kitei.core.api.errors import ERRORS
from kitei.core.filters import parameters
from kitei.core.models import Organization
from kitei.people.models import Department, Person
from kitei.policy import classify
from kitei.policy.model import Pack
from kitei.systems import services
from kitei.systems.filters import SystemFilterSet
from kitei.systems.models import Software, System

router = Router(tags=["情報システム台帳"])

SupportStatus = Literal["ended", "ends_during_use", "ok", "unknown"]
FILTER_HELP = (
    "画面・書出しと同じ検索条件です（docs/operations.md「台帳の検索条件」）。"
    "`q` は名称の部分一致。可用性の軸で `?可用性=2` のように絞り込めます。"
    "使えない条件や値は 422 で、理由がパラメータ名とともに返ります。"
)
# 002 7-4(1)キ: software whose support has ended, or ends before the system's use does.
WARNING = frozenset({"ended", "ends_during_use"})


class SoftwareOut(Schema):
    """Software a system runs, and where its support stands (002 7-4(1)キ)."""

    id: int
    name: str
    version: str
    end_of_support: date | None
    support_status: SupportStatus


class SystemOut(Schema):
    """A system with its software; `support_warning` flags support ended or ending in use."""

    id: int
    name: str
    department: Ref
    manager: Ref | None
    operator: Ref | None
    zone: str
    zone_title: str
    is_external_service: bool
    availability: str
    security_requirements: str
    planned_until: date | None
    created_at: datetime
    software: list[SoftwareOut]
    support_warning: bool


class SystemPage(Schema):
    """One page of the list and the number of matching systems."""

    count: int
    limit: int
    offset: int
    items: list[SystemOut]


class SoftwareIn(Schema):
    """Software to record with a new system."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    version: str = Field("", max_length=64)
    end_of_support: date | None = None


class SystemIn(Schema):
    """A new system; `zone` and `availability` by pack id or Japanese title."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    department_id: int
    manager_id: int | None = None
    operator_id: int | None = None
    zone: str = ""
    is_external_service: bool = False
    availability: str = ""
    security_requirements: str = ""
    planned_until: date | None = None
    software: list[SoftwareIn] = []


class SystemPatch(Schema):
    """Fields to change; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(None, min_length=1, max_length=200)
    department_id: int | None = None
    manager_id: int | None = None
    operator_id: int | None = None
    zone: str | None = None
    is_external_service: bool | None = None
    availability: str | None = None
    security_requirements: str | None = None
    planned_until: date | None = None


NULLABLE = frozenset({"manager_id", "operator_id", "planned_until"})


def _selected() -> QuerySet[System]:
    software = Software.objects.order_by("name", "pk")
    return System.objects.select_related("department", "manager", "operator").prefetch_related(
        Prefetch("software", queryset=software)
    )


def out(pack: Pack, system: System, today: date) -> dict[str, Any]:
    """The JSON of a system (related rows and software prefetched)."""
    zones = {z.id: z.title for z in pack.network.zones}
    software = [
        {
            "id": s.pk,
            "name": s.name,
            "version": s.version,
            "end_of_support": s.end_of_support,
            "support_status": s.support_status(today),
        }
        for s in system.software.all()
    ]
    return {
        "id": system.pk,
        "name": system.name,
        "department": common.ref(system.department),
        "manager": common.ref(system.manager),
        "operator": common.ref(system.operator),
        "zone": system.zone,
        "zone_title": zones.get(system.zone, ""),
        "is_external_service": system.is_external_service,
        "availability": system.availability,
        "security_requirements": system.security_requirements,
        "planned_until": system.planned_until,
        "created_at": system.created_at,
        "software": software,
        "support_warning": any(s["support_status"] in WARNING for s in software),
    }


def detail(organization: Organization, pk: int) -> dict[str, Any]:
    """The JSON of one system of the organisation (404 for any other)."""
    system = common.get_or_404(_selected(), organization, pk, _("情報システム"))
    return out(common.pack_of(organization), system, timezone.localdate())


def filtered(organization: Organization, params: Any) -> QuerySet[System]:
    """The organisation's systems the filters select, by name (InvalidFiltersError: 422)."""
    filters = SystemFilterSet(params, organization=organization, allowed=common.PAGING)
    result = filters.result()
    return (
        result.select_related("department", "manager", "operator")
        .prefetch_related(Prefetch("software", queryset=Software.objects.order_by("name", "pk")))
        .order_by("name", "pk")
    )


@router.get(
    "",
    response={200: SystemPage, **ERRORS},
    auth=TokenAuth("systems.view"),
    summary="情報システムの一覧",
    description=FILTER_HELP,
    openapi_extra={"parameters": parameters(SystemFilterSet)},
)
def list_systems(request: HttpRequest, paging: Query[common.Paging]) -> dict[str, Any]:
    """One page of the organisation's systems with their software, and the number that match."""
    organization = caller_of(request).organization
    systems = filtered(organization, request.GET)
    pack, today = common.pack_of(organization), timezone.localdate()
    count = systems.count()
    # Past the end (a search that found nothing): no second query walking the index.
    page = systems[paging.offset : paging.offset + paging.limit] if count > paging.offset else []
    return {
        "count": count,
        "limit": paging.limit,
        "offset": paging.offset,
        "items": [out(pack, s, today) for s in page],
    }


@router.get(
    "/{int:system_id}",
    response={200: SystemOut, **ERRORS},
    auth=TokenAuth("systems.view"),
    summary="情報システム",
)
def get_system(request: HttpRequest, system_id: int) -> dict[str, Any]:
    """One system of the organisation with its software."""
    return detail(caller_of(request).organization, system_id)


def _fields(organization: Organization, data: dict[str, Any]) -> dict[str, Any]:
    """Request fields → service fields: rows of the caller's organisation, pack ids."""
    pack = common.pack_of(organization)
    tables: dict[str, tuple[QuerySet[Any], str]] = {
        "department_id": (Department.objects.all(), _("部署")),
        "manager_id": (Person.objects.all(), _("情報システム管理者")),
        "operator_id": (Person.objects.all(), _("情報システム担当者")),
    }
    result = common.references(organization, data, tables)
    if result.get("zone"):
        result["zone"] = common.zone_id(pack, result["zone"])
    if result.get("availability"):
        try:
            level = classify.normalise(
                pack, {"availability": result["availability"]}, complete=False
            )
        except classify.ClassificationError as exc:
            raise ApiError(422, "invalid", str(exc)) from None
        result["availability"] = level["availability"]
    return result


def _keep(caller: Caller, *, system_id: int | None, manager: Person | None) -> None:
    """403 unless the caller keeps this system (core.access: administrators, its manager …).

    `system_id` is None for a system not yet registered.
    """
    target = access.Target(
        organization_id=caller.organization.pk,
        system_id=system_id,
        system_manager_id=manager.pk if manager is not None else None,
    )
    if not access.check(caller.user, "systems.manage", target).allowed:
        raise ApiError(
            403,
            "forbidden",
            _(
                "管理する情報システムだけを変更できます（情報システム管理者に自分を指定してください）。"
            ),
        )


@router.post(
    "",
    response={201: SystemOut, **ERRORS},
    auth=TokenAuth("systems.manage"),
    summary="情報システムの登録",
)
def create_system(request: HttpRequest, payload: SystemIn) -> Status[dict[str, Any]]:
    """Register a system and its software (register_system, add_software): all or nothing."""
    caller = caller_of(request)
    organization = caller.organization
    data = payload.model_dump()
    software = data.pop("software")
    fields = _fields(organization, data)
    _keep(caller, system_id=None, manager=fields["manager"])
    with transaction.atomic():
        system = services.register_system(organization, actor=caller.user, **fields)
        for item in software:
            services.add_software(system, actor=caller.user, **item)
    return Status(201, detail(organization, system.pk))


@router.patch(
    "/{int:system_id}",
    response={200: SystemOut, **ERRORS},
    auth=TokenAuth("systems.manage"),
    summary="情報システムの変更",
)
def update_system(request: HttpRequest, system_id: int, payload: SystemPatch) -> dict[str, Any]:
    """Change a system's register entry through update_system (only fields that differ)."""
    caller = caller_of(request)
    organization = caller.organization
    system = common.get_or_404(
        System.objects.select_related("organization", "department", "manager", "operator"),
        organization,
        system_id,
        _("情報システム"),
    )
    _keep(caller, system_id=system.pk, manager=system.manager)
    data = payload.model_dump(exclude_unset=True)
    common.null_fields(data, NULLABLE)
    fields = {k: v for k, v in _fields(organization, data).items() if getattr(system, k) != v}
    if "manager" in fields:
        _keep(caller, system_id=system.pk, manager=fields["manager"])
    if fields:
        services.update_system(system, actor=caller.user, **fields)
    return detail(organization, system.pk)
