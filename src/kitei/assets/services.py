"""State changes of the information asset register; each writes its ChangeRecord."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from kitei.assets.models import Asset, AssetForm, ClassificationStatus
from kitei.core.access import engine_for
from kitei.core.models import Organization
from kitei.core.services import Actor, record_change
from kitei.people.models import Department, Person
from kitei.policy import classify
from kitei.systems.models import System

EDITABLE = (
    "name",
    "description",
    "department",
    "owner",
    "form",
    "storage_location",
    "system",
    "retention",
    "disclosure",
)


def snapshot(asset: Asset) -> dict[str, Any]:
    """The register row as recorded in the audit trail."""
    return {
        "name": asset.name,
        "description": asset.description,
        "department": asset.department.name,
        "owner": asset.owner.name if asset.owner else "",
        "classification": asset.classification,
        "classification_status": asset.classification_status,
        "form": asset.form,
        "storage_location": asset.storage_location,
        "system": asset.system.name if asset.system else "",
        "retention": asset.retention,
        "disclosure": asset.disclosure,
        "copy_of": asset.copy_of_id,
    }


def resolve_classification(organization: Organization, raw: Mapping[str, object]) -> dict[str, str]:
    """Axis and level names (ids or Japanese titles) → ids, every axis required."""
    pack = engine_for(organization.pack_id, organization.pack_digest).pack
    try:
        return classify.normalise(pack, raw)
    except classify.ClassificationError as exc:
        raise ValidationError(str(exc)) from None


def _check(organization: Organization, fields: Mapping[str, Any]) -> None:
    for key, model in (("department", Department), ("owner", Person), ("system", System)):
        value = fields.get(key)
        if isinstance(value, model) and value.organization_id != organization.pk:
            raise ValidationError(f"{model._meta.verbose_name}がこの組織にありません。")
    if "form" in fields and fields["form"] not in AssetForm.values:
        raise ValidationError(f"形態「{fields['form']}」はありません。")


@transaction.atomic
def register_asset(
    organization: Organization,
    *,
    actor: Actor,
    name: str,
    department: Department,
    form: str,
    classification: Mapping[str, object] | None = None,
    unclear: bool = False,
    copy_of: Asset | None = None,
    **fields: Any,
) -> Asset:
    """Add an asset; a copy takes its original's class, an unclear one waits for a decision."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    _check(organization, {"department": department, "form": form, **fields})
    if copy_of is not None:
        if copy_of.organization_id != organization.pk:
            raise ValidationError("複製元の資産がこの組織にありません。")
        resolved = dict(copy_of.classification)  # 002 3(2)ア(ウ): copies keep the class
        status = copy_of.classification_status
    elif unclear:
        resolved, status = {}, ClassificationStatus.UNCLEAR
    else:
        if not classification:
            raise ValidationError("分類を指定するか、「分類が不明」を選んでください。")
        resolved = resolve_classification(organization, classification)
        status = ClassificationStatus.DECIDED
    asset = Asset.objects.create(
        organization=organization,
        name=name,
        department=department,
        form=form,
        classification=resolved,
        classification_status=status,
        copy_of=copy_of,
        created_by=actor if isinstance(actor, User) else None,
        **fields,
    )
    record_change(
        organization, actor=actor, action="register_asset", obj=asset, after=snapshot(asset)
    )
    return asset


@transaction.atomic
def update_asset(asset: Asset, *, actor: Actor, **fields: Any) -> Asset:
    """Change an asset's register entry (not its class: see classify_asset)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    _check(asset.organization, fields)
    before = snapshot(asset)
    for key, value in fields.items():
        setattr(asset, key, value)
    asset.save()
    record_change(
        asset.organization,
        actor=actor,
        action="update_asset",
        obj=asset,
        before=before,
        after=snapshot(asset),
    )
    return asset


@transaction.atomic
def classify_asset(asset: Asset, *, actor: Actor, classification: Mapping[str, object]) -> Asset:
    """Set an asset's class (also deciding an unclear one); copies and media follow."""
    if asset.copy_of_id is not None:
        raise ValidationError("複製の分類は複製元に従います（複製元の分類を変更してください）。")
    before = snapshot(asset)
    asset.classification = resolve_classification(asset.organization, classification)
    asset.classification_status = ClassificationStatus.DECIDED
    asset.save(update_fields=["classification", "classification_status"])
    record_change(
        asset.organization,
        actor=actor,
        action="classify_asset",
        obj=asset,
        before=before,
        after=snapshot(asset),
    )
    for copy in asset.copies.all():
        _follow(copy, asset.classification, actor)
    for medium in asset.media.all():
        _recompute_medium(medium, actor)
    return asset


def _follow(copy: Asset, classification: dict[str, str], actor: Actor) -> None:
    before = snapshot(copy)
    copy.classification = dict(classification)
    copy.classification_status = ClassificationStatus.DECIDED
    copy.save(update_fields=["classification", "classification_status"])
    record_change(
        copy.organization,
        actor=actor,
        action="classify_asset",
        obj=copy,
        before=before,
        after=snapshot(copy),
    )


def _recompute_medium(medium: Asset, actor: Actor) -> None:
    """A medium carries the highest class of itself and what it holds (002 3(2)オ(ウ))."""
    pack = engine_for(medium.organization.pack_id, medium.organization.pack_digest).pack
    classes = [a.classification for a in medium.contents.all() if a.classification]
    highest = classify.highest(pack, [medium.classification, *classes])
    if highest != medium.classification:
        before = snapshot(medium)
        medium.classification = highest
        medium.save(update_fields=["classification"])
        record_change(
            medium.organization,
            actor=actor,
            action="classify_asset",
            obj=medium,
            before=before,
            after=snapshot(medium),
        )


@transaction.atomic
def set_medium_contents(medium: Asset, *, actor: Actor, contents: Iterable[Asset]) -> Asset:
    """Record what a medium holds; its class rises to the highest of them."""
    items = list(contents)
    if medium.form != AssetForm.MEDIUM:
        raise ValidationError("収録資産を登録できるのは記録媒体だけです。")
    if any(a.organization_id != medium.organization_id or a.pk == medium.pk for a in items):
        raise ValidationError("収録資産が正しくありません。")
    medium.contents.set(items)
    record_change(
        medium.organization,
        actor=actor,
        action="set_medium_contents",
        obj=medium,
        after={"contents": sorted(a.name for a in items)},
    )
    _recompute_medium(medium, actor)
    return medium
