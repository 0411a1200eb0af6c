"""`/api/assets`: the information asset register (情報資産台帳) over the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from kitei.api import common
from kitei.api.auth import ApiError, Caller, TokenAuth, caller_of
from kitei.api.common import Ref
from kitei.api.errors import ERRORS
from kitei.assets import queries, services
from kitei.assets.expressions import AXIS_ID, AxisLevel
from kitei.assets.models import Asset, AssetForm, ClassificationStatus, Disclosure
from kitei.core import access
from kitei.core.models import Organization
from kitei.people.models import Department, Person
from kitei.policy import classify
from kitei.policy.model import Pack
from kitei.systems.models import System

router = Router(tags=["情報資産台帳"])

AXIS_HELP = (
    "分類の軸をパラメータ名に、区分を値にして絞り込めます（軸は ID でも日本語名でも可）。"
    "例: `?機密性=3B`、`?confidentiality=3B&confidentiality=3A`。"
)


class AssetFilters(common.Paging):
    """Filters of the asset list; classification axes come as extra parameters."""

    department: int | None = Field(None, description="所管部署の id")
    owner: int | None = Field(None, description="管理責任者（職員）の id")
    system: int | None = Field(None, description="関連システムの id")
    zone: str | None = Field(None, description="関連システムのネットワーク（ID または名称）")
    form: AssetForm | None = Field(None, description="形態")
    status: ClassificationStatus | None = Field(None, description="分類の状態")
    disposed: bool = Field(False, description="廃棄済みの情報資産も含める（既定では含めない）")


KNOWN = tuple(AssetFilters.model_fields)


class AssetOut(Schema):
    """An asset as listed: its class by axis id, and the label to stamp (002 3(2)イ)."""

    id: int
    name: str
    description: str
    department: Ref
    owner: Ref | None
    classification: dict[str, str]
    classification_status: ClassificationStatus
    label: str | None = Field(description="表示する分類（全軸が最下位なら表示不要で null）")
    form: AssetForm
    storage_location: str
    system: Ref | None
    retention: str
    disclosure: Disclosure
    copy_of: int | None
    created_by: str | None
    created_at: datetime
    disposed_at: datetime | None = Field(description="廃棄日時（廃棄済みでなければ null）")


class DisposalOut(Schema):
    """The record book entry whose completion marked the asset 廃棄済み."""

    id: int
    book: str
    number: str


class RestrictionOut(Schema):
    """A 取扱制限 the pack derives from the asset's class, with its clause."""

    axis: str
    axis_title: str
    id: str
    text: str
    clause: str


class AssetDetail(AssetOut):
    """One asset with its 取扱制限 and, for a medium, what it holds."""

    restrictions: list[RestrictionOut]
    contents: list[Ref]
    disposal_record: DisposalOut | None


class AssetPage(Schema):
    """One page of the list and the number of matching assets."""

    count: int
    limit: int
    offset: int
    items: list[AssetOut]


class AssetIn(Schema):
    """A new asset; `classification` maps axis → level (ids or Japanese titles)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True)

    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    department_id: int
    owner_id: int | None = None
    form: AssetForm
    classification: dict[str, str | int] | None = None
    unclear: bool = Field(False, description="分類が不明（判断する役割に回す）")
    storage_location: str = Field("", max_length=200)
    system_id: int | None = None
    retention: str = Field("", max_length=64)
    disclosure: Disclosure = Disclosure.UNDECIDED
    copy_of_id: int | None = Field(None, description="複製元（分類は複製元に従う）")


class AssetPatch(Schema):
    """Fields to change; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True)

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    department_id: int | None = None
    owner_id: int | None = None
    form: AssetForm | None = None
    classification: dict[str, str | int] | None = None
    storage_location: str | None = Field(None, max_length=200)
    system_id: int | None = None
    retention: str | None = Field(None, max_length=64)
    disclosure: Disclosure | None = None


NULLABLE = frozenset({"owner_id", "system_id"})


def _selected() -> QuerySet[Asset]:
    return Asset.objects.select_related("department", "owner", "system", "created_by")


def out(pack: Pack, asset: Asset) -> dict[str, Any]:
    """The JSON of an asset row (related rows must be selected already)."""
    return {
        "id": asset.pk,
        "name": asset.name,
        "description": asset.description,
        "department": common.ref(asset.department),
        "owner": common.ref(asset.owner),
        "classification": asset.classification,
        "classification_status": asset.classification_status,
        "label": classify.label(pack, asset.classification),
        "form": asset.form,
        "storage_location": asset.storage_location,
        "system": common.ref(asset.system),
        "retention": asset.retention,
        "disclosure": asset.disclosure,
        "copy_of": asset.copy_of_id,
        "created_by": asset.created_by.get_username() if asset.created_by else None,
        "created_at": asset.created_at,
        "disposed_at": asset.disposed_at,
    }


def detail(organization: Organization, pk: int) -> dict[str, Any]:
    """The JSON of one asset with its 取扱制限 and contents."""
    asset = common.get_or_404(_selected(), organization, pk, _("情報資産"))
    pack = common.pack_of(organization)
    decided = asset.classification_status == ClassificationStatus.DECIDED
    applied = classify.restrictions(pack, asset.classification) if decided else []
    return {
        **out(pack, asset),
        "restrictions": [
            {
                "axis": a.axis,
                "axis_title": a.axis_title,
                "id": a.restriction.id,
                "text": a.restriction.text,
                "clause": a.restriction.clause,
            }
            for a in applied
        ],
        "contents": [common.ref(a) for a in asset.contents.order_by("name", "pk")],
        "disposal_record": _disposal(asset),
    }


def _disposal(asset: Asset) -> dict[str, Any] | None:
    """The disposal record entry of a disposed asset (None while in use)."""
    entry = asset.disposed_by_entry
    return None if entry is None else {"id": entry.pk, "book": entry.book, "number": entry.number}


def filtered(organization: Organization, f: AssetFilters, params: Any) -> QuerySet[Asset]:
    """The organisation's assets matching the filters, newest first (422 on a bad filter)."""
    pack = common.pack_of(organization)
    result = access.scoped(_selected(), organization)
    if f.department is not None:
        common.lookup(Department.objects.all(), organization, f.department, _("部署"))
        result = result.filter(department_id=f.department)
    if f.owner is not None:
        result = result.filter(owner_id=f.owner)
    if f.system is not None:
        result = result.filter(system_id=f.system)
    if f.zone:
        result = result.filter(system__zone=common.zone_id(pack, f.zone))
    if f.form:
        result = result.filter(form=f.form)
    if f.status:
        result = result.filter(classification_status=f.status)
    for axis, levels in common.classification_filters(pack, params, KNOWN).items():
        # The axis id comes from the pack, never from the query string itself.
        if AXIS_ID.fullmatch(axis):  # the form the register's indexes cover
            result = result.alias(**{f"level_{axis}": AxisLevel(axis)})
            result = result.filter(**{f"level_{axis}__in": levels})
        else:
            result = result.filter(**{f"classification__{axis}__in": levels})
    if f.q:
        result = result.filter(name__icontains=f.q)
    result = queries.live(result, disposed=f.disposed)  # 廃棄済み only when asked for
    return result.order_by("-created_at", "-pk")


@router.get(
    "",
    response={200: AssetPage, **ERRORS},
    auth=TokenAuth("assets.view"),
    summary="情報資産の一覧",
    description=AXIS_HELP,
)
def list_assets(request: HttpRequest, filters: Query[AssetFilters]) -> dict[str, Any]:
    """One page of the organisation's assets, filtered, with the number that match."""
    organization = caller_of(request).organization
    assets = filtered(organization, filters, request.GET)
    pack = common.pack_of(organization)
    count = assets.count()
    # Past the end (a search that found nothing): no second query walking the index.
    page = assets[filters.offset : filters.offset + filters.limit] if count > filters.offset else []
    return {
        "count": count,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [out(pack, a) for a in page],
    }


@router.get(
    "/{int:asset_id}",
    response={200: AssetDetail, **ERRORS},
    auth=TokenAuth("assets.view"),
    summary="情報資産",
)
def get_asset(request: HttpRequest, asset_id: int) -> dict[str, Any]:
    """One asset of the organisation, with its 取扱制限 and label."""
    return detail(caller_of(request).organization, asset_id)


def _references(organization: Organization, data: dict[str, Any]) -> dict[str, Any]:
    """`*_id` fields → rows of the caller's organisation (422 for any other id)."""
    tables: dict[str, tuple[QuerySet[Any], str]] = {
        "department_id": (Department.objects.all(), _("部署")),
        "owner_id": (Person.objects.all(), _("管理責任者")),
        "system_id": (System.objects.all(), _("関連システム")),
        "copy_of_id": (Asset.objects.all(), _("複製元の情報資産")),
    }
    return common.references(organization, data, tables)


def _keep(caller: Caller, department_id: int) -> None:
    """403 unless the caller keeps the assets of the department (core.access)."""
    target = access.Target(organization_id=caller.organization.pk, department_id=department_id)
    verdict = access.check(caller.user, "assets.manage", target)
    if not verdict.allowed:
        raise ApiError(403, "forbidden", verdict.message)


def _may_classify(caller: Caller, asset: Asset) -> None:
    """403 unless the caller may decide an unclear class: the role the pack names (3(2)エ)."""
    decision = queries.classify_unclear_decision(caller.organization, asset)
    if not access.check_decided(
        caller.user, "assets.classify", asset, decision, otherwise="assets.manage"
    ).allowed:
        roles = "・".join(t for step in decision.approvals for _i, t in step.roles)
        raise ApiError(
            403,
            "forbidden",
            _("分類が不明な資産の分類は{roles}が判断します。").format(roles=roles),
        )


@router.post(
    "",
    response={201: AssetDetail, **ERRORS},
    auth=TokenAuth("assets.manage"),
    summary="情報資産の登録",
)
def create_asset(request: HttpRequest, payload: AssetIn) -> Status[dict[str, Any]]:
    """Register an asset through `register_asset`; the token's user is the actor."""
    caller = caller_of(request)
    fields = _references(caller.organization, payload.model_dump())
    _keep(caller, fields["department"].pk)
    asset = services.register_asset(caller.organization, actor=caller.user, **fields)
    return Status(201, detail(caller.organization, asset.pk))


@router.patch(
    "/{int:asset_id}",
    response={200: AssetDetail, **ERRORS},
    auth=TokenAuth("assets.manage"),
    summary="情報資産の変更",
)
def update_asset(request: HttpRequest, asset_id: int, payload: AssetPatch) -> dict[str, Any]:
    """Change an asset (update_asset, classify_asset) in one transaction: all or nothing.

    Only fields that differ are written, so a repeated PATCH records nothing new.
    """
    caller = caller_of(request)
    organization = caller.organization
    asset = common.get_or_404(
        Asset.objects.select_related("organization", "department", "owner", "system"),
        organization,
        asset_id,
        _("情報資産"),
    )
    _keep(caller, asset.department_id)
    data = payload.model_dump(exclude_unset=True)
    common.null_fields(data, NULLABLE)
    raw_class = data.pop("classification", None)
    fields = {k: v for k, v in _references(organization, data).items() if getattr(asset, k) != v}
    if "department" in fields:
        _keep(caller, fields["department"].pk)
    unclear = asset.classification_status == ClassificationStatus.UNCLEAR
    classification = None
    if raw_class is not None:
        classification = services.resolve_classification(organization, raw_class)
        if unclear:
            _may_classify(caller, asset)
        elif classification == asset.classification:
            classification = None
    with transaction.atomic():
        if fields:
            services.update_asset(asset, actor=caller.user, **fields)
        if classification is not None:
            services.classify_asset(asset, actor=caller.user, classification=classification)
    return detail(organization, asset.pk)
