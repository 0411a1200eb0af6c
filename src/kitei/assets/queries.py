"""Reads of the information asset register, always scoped to one organisation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from kitei.assets.filters import AssetFilterSet
from kitei.assets.models import Asset, AssetTally, ClassificationStatus
from kitei.core import access, textsearch
from kitei.core.models import Organization
from kitei.people.models import Department, Person
from kitei.policy import Decision
from kitei.policy.classify import AppliedRestriction, label, label_principle, restrictions
from kitei.policy.model import Citation, Pack, Principle


def pack_of(organization: Organization) -> Pack:
    """The organisation's policy pack."""
    return access.engine_for(organization.pack_id, organization.pack_digest).pack


def describe(pack: Pack, classification: Mapping[str, str]) -> str:
    """The class on every axis in the pack's words, e.g. 「機密性3B・完全性2・可用性1」."""
    parts = []
    for axis in pack.classification.axes:
        level = next((lv for lv in axis.levels if lv.id == classification.get(axis.id)), None)
        if level is not None:
            parts.append(level.title.replace(" ", ""))
    return "・".join(parts)


def assets(filters: AssetFilterSet) -> QuerySet[Asset]:
    """The assets the filters select, newest first, rows ready to show.

    Raises InvalidFiltersError when a parameter cannot be taken.
    """
    found = filters.result().select_related("department", "owner", "system")
    return found.order_by("-created_at", "-pk")


def live(queryset: QuerySet[Asset], *, disposed: bool = False) -> QuerySet[Asset]:
    """The assets still in use, or all of them with `disposed` (廃棄済み kept as history)."""
    return queryset if disposed else queryset.filter(disposed_at__isnull=True)


@dataclass(frozen=True, kw_only=True)
class AssetRow:
    """A line of the asset list: the asset and its class in the pack's words."""

    asset: Asset
    classification: str


def rows(pack: Pack, items: Iterable[Asset]) -> list[AssetRow]:
    """List lines for assets fetched by `assets` (no further queries)."""
    return [AssetRow(asset=a, classification=describe(pack, a.classification)) for a in items]


def departments(organization: Organization) -> QuerySet[Department]:
    """The organisation's departments, by name."""
    return access.scoped(Department.objects.all(), organization).order_by("name")


def people(organization: Organization) -> QuerySet[Person]:
    """The organisation's people, by name (owners to choose from)."""
    return access.scoped(Person.objects.all(), organization).order_by("name", "pk")


def asset(organization: Organization, pk: int) -> Asset:
    """One asset of the organisation, or 404 (also for another organisation's assets)."""
    related = Asset.objects.select_related(
        "department", "owner", "system", "copy_of", "created_by", "disposed_by_entry"
    )
    return get_object_or_404(access.scoped(related, organization), pk=pk)


def matching(organization: Organization, text: str, *, limit: int) -> list[Asset]:
    """Up to `limit` assets in use whose name contains the text (all of them for ""), by name.

    The request form's chooser: the order is the `asset_org_name` index's, so the database
    reads the index in order and stops after `limit` matches instead of sorting the register.
    """
    found = live(access.scoped(Asset.objects.select_related("department"), organization))
    if text:
        found = textsearch.contains(found, text, ("name",), table=Asset._meta.db_table)
    return list(found.order_by("name", "created_at", "pk")[:limit])


def in_use(organization: Organization, pk: int) -> Asset | None:
    """The organisation's asset with this id if it is still in use (not 廃棄済み), or None."""
    found = live(access.scoped(Asset.objects.select_related("department"), organization))
    return found.filter(pk=pk).first()


@dataclass(frozen=True, kw_only=True)
class Label:
    """What 3(2)イ asks to stamp on the asset: the text, or why none is needed."""

    text: str | None
    principle: Principle


@dataclass(frozen=True, kw_only=True)
class AssetView:
    """Everything the asset page shows beyond the row itself."""

    classification: str
    restrictions: list[AppliedRestriction]
    label: Label | None
    commitment: Citation | None
    copies: list[Asset]
    media: list[Asset]
    contents: list[Asset]
    levels: dict[str, str]  # axis title → level title
    copies_principle: Principle | None
    mixed_principle: Principle | None


def view(pack: Pack, item: Asset) -> AssetView:
    """The asset's 取扱制限, label, copies, the media holding it and what it holds."""
    principle = label_principle(pack)
    text = label(pack, item.classification) if principle is not None else None
    decided = item.classification_status == ClassificationStatus.DECIDED
    levels = {}
    for axis in pack.classification.axes:
        level = next((lv for lv in axis.levels if lv.id == item.classification.get(axis.id)), None)
        if level is not None:
            levels[axis.title] = level.title
    return AssetView(
        classification=describe(pack, item.classification),
        restrictions=restrictions(pack, item.classification) if decided else [],
        label=Label(text=text, principle=principle) if principle and decided else None,
        commitment=pack.classification.commitment,
        copies=list(item.copies.select_related("department").order_by("name", "pk")),
        media=list(item.media.select_related("department").order_by("name", "pk")),
        contents=list(item.contents.select_related("department").order_by("name", "pk")),
        levels=levels,
        copies_principle=_principle(pack, "copies_inherit"),
        mixed_principle=_principle(pack, "mixed_take_highest"),
    )


def _principle(pack: Pack, kind: str) -> Principle | None:
    return next((p for p in pack.classification.principles if p.kind == kind), None)


def classify_unclear_decision(organization: Organization, item: Asset) -> Decision:
    """What the pack says about deciding the class of an asset whose class is unclear."""
    request: dict[str, Any] = {
        "action": "asset.classify_unclear",
        "resource": {"kind": "asset", "form": item.form},
    }
    return access.decide(organization, request)


@dataclass(frozen=True, kw_only=True)
class LevelCount:
    """How many assets sit at one level of one axis."""

    axis: str
    level: str
    title: str
    count: int


@dataclass(frozen=True, kw_only=True)
class RegisterCounts:
    """The home page's figures: assets per level of each axis and per department."""

    total: int
    unclear: int
    by_axis: list[tuple[str, str, list[LevelCount]]]  # (axis id, axis title, counts)
    by_department: list[tuple[int, str, int]]  # (department id, name, count)


def counts(organization: Organization) -> RegisterCounts:
    """Counts of the register by class and by department, from the maintained tally.

    The figures count assets in use (not 廃棄済み), by class only those whose class is
    decided. They are sums over the organisation's AssetTally rows (one per department,
    status, disposal and class, kept by triggers: a few hundred rows for any register
    size), so the home page does not grow with the register (issue 16).
    """
    pack = pack_of(organization)
    groups = (
        access.scoped(AssetTally.objects.all(), organization)
        .filter(n__gt=0, disposed=False)
        .values_list("department_id", "classification_status", "classification", "n")
    )
    per_department: dict[int, int] = {}
    per_level: dict[tuple[str, str], int] = {}
    unclear = 0
    for department_id, status, classification, n in groups:
        per_department[department_id] = per_department.get(department_id, 0) + n
        if status == ClassificationStatus.UNCLEAR:
            unclear += n
            continue
        for axis, level in (classification or {}).items():
            per_level[(axis, str(level))] = per_level.get((axis, str(level)), 0) + n
    by_axis = [
        (
            axis.id,
            axis.title,
            [
                LevelCount(
                    axis=axis.id,
                    level=lv.id,
                    title=lv.title,
                    count=per_level.get((axis.id, lv.id), 0),
                )
                for lv in reversed(axis.levels)
            ],
        )
        for axis in pack.classification.axes
    ]
    names = dict(departments(organization).filter(pk__in=per_department).values_list("pk", "name"))
    by_department = sorted(
        ((pk, names[pk], n) for pk, n in per_department.items() if pk in names),
        key=lambda row: (-row[2], row[1]),
    )
    return RegisterCounts(
        total=sum(per_department.values()),
        unclear=unclear,
        by_axis=by_axis,
        by_department=by_department,
    )
