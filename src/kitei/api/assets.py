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

from kitei.assets import queries, services
from kitei.assets.filters import AssetFilterSet
from kitei.assets.models import Asset, AssetForm, ClassificationStatus, Disclosure
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
from kitei.systems.models import System

router = Router(tags=["情報資産台帳"])

AXIS_HELP = (
    "画面・書出しと同じ検索条件です（docs/operations.md「台帳の検索条件」）。"
    "`q` は名称と説明の部分一致。"
    "分類の軸をパラメータ名に、区分を値にして絞り込めます（軸は ID でも日本語名でも可）。"
    "例: `?機密性=3B`、`?confidentiality=3B&confidentiality=3A`。"
    "使えない条件や値は 422 で、理由がパラメータ名とともに返ります。"
)


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


def filtered(organization: Organization, params: Any) -> QuerySet[Asset]:
    """The organisation's assets the filters select, newest first (InvalidFiltersError: 422)."""
    filters = AssetFilterSet(params, organization=organization, allowed=common.PAGING)
    return (
        filters.result()
        .select_related("department", "owner", "system", "created_by")
        .order_by("-created_at", "-pk")
    )


@router.get(
    "",
    response={200: AssetPage, **ERRORS},
    auth=TokenAuth("assets.view"),
    summary="情報資産の一覧",
    description=AXIS_HELP,
    openapi_extra={"parameters": parameters(AssetFilterSet)},
)
def list_assets(request: HttpRequest, paging: Query[common.Paging]) -> dict[str, Any]:
    """One page of the organisation's assets (AssetFilterSet) and the number that match."""
    organization = caller_of(request).organization
    assets = filtered(organization, request.GET)
    pack = common.pack_of(organization)
    count = assets.count()
    # Past the end (a search that found nothing): no second query walking the index.
    page = assets[paging.offset : paging.offset + paging.limit] if count > paging.offset else []
    return {
        "count": count,
        "limit": paging.limit,
        "offset": paging.offset,
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
