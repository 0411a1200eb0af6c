"""State changes of the information asset register; each writes its ChangeRecord."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.assets.choices import AssetAuditAction
from kitei.assets.models import Asset, AssetForm, ClassificationStatus, Disclosure
from kitei.assets.queries import classify_unclear_decision
from kitei.core import access
from kitei.core.access import engine_for
from kitei.core.bulk import insert_rows
from kitei.core.models import Organization
from kitei.core.services import Actor, record_change, record_changes
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


def _live(asset: Asset) -> None:
    """Refuse to change a disposed asset: it stays in the register only as history."""
    if asset.disposed_at is not None:
        raise ValidationError(_("廃棄済みの情報資産は変更できません。"))


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
            raise ValidationError(
                _("%(what)sがこの組織にありません。") % {"what": model._meta.verbose_name}
            )
    if "form" in fields and fields["form"] not in AssetForm.values:
        raise ValidationError(_("形態「%(form)s」はありません。") % {"form": fields["form"]})


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
    access.require(actor, "assets.manage", department)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    _check(organization, {"department": department, "form": form, **fields})
    if copy_of is not None:
        if copy_of.organization_id != organization.pk:
            raise ValidationError(_("複製元の資産がこの組織にありません。"))
        resolved = dict(copy_of.classification)  # 002 3(2)ア(ウ): copies keep the class
        status = copy_of.classification_status
    elif unclear:
        resolved, status = {}, ClassificationStatus.UNCLEAR
    else:
        if not classification:
            raise ValidationError(_("分類を指定するか、「分類が不明」を選んでください。"))
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
        organization,
        actor=actor,
        action=AssetAuditAction.REGISTER_ASSET,
        obj=asset,
        after=snapshot(asset),
    )
    return asset


@transaction.atomic
def update_asset(asset: Asset, *, actor: Actor, **fields: Any) -> Asset:
    """Change an asset's register entry (not its class: see classify_asset)."""
    access.require(actor, "assets.manage", asset)
    if isinstance(fields.get("department"), Department):  # moving it: the new 課 too
        access.require(actor, "assets.manage", fields["department"])
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    _live(asset)
    _check(asset.organization, fields)
    before = snapshot(asset)
    for key, value in fields.items():
        setattr(asset, key, value)
    asset.save()
    record_change(
        asset.organization,
        actor=actor,
        action=AssetAuditAction.UPDATE_ASSET,
        obj=asset,
        before=before,
        after=snapshot(asset),
    )
    return asset


@transaction.atomic
def classify_asset(asset: Asset, *, actor: Actor, classification: Mapping[str, object]) -> Asset:
    """Set an asset's class (also deciding an unclear one); copies and media follow.

    An unclear class is decided by whom the pack names (002 3(2)エ: 情報セキュリティ管理者に
    判断を仰ぐ), else by the asset's keepers.
    """
    if asset.classification_status == ClassificationStatus.UNCLEAR:
        decision = classify_unclear_decision(asset.organization, asset)
        verdict = access.check_decided(
            actor, "assets.classify", asset, decision, otherwise="assets.manage"
        )
        if not verdict.allowed:
            raise access.Refusal(verdict)
    else:
        access.require(actor, "assets.manage", asset)
    if asset.copy_of_id is not None:
        raise ValidationError(_("複製の分類は複製元に従います（複製元の分類を変更してください）。"))
    _live(asset)
    before = snapshot(asset)
    asset.classification = resolve_classification(asset.organization, classification)
    asset.classification_status = ClassificationStatus.DECIDED
    asset.save(update_fields=["classification", "classification_status"])
    record_change(
        asset.organization,
        actor=actor,
        action=AssetAuditAction.CLASSIFY_ASSET,
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
        action=AssetAuditAction.CLASSIFY_ASSET,
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
            action=AssetAuditAction.CLASSIFY_ASSET,
            obj=medium,
            before=before,
            after=snapshot(medium),
        )


@transaction.atomic
def set_medium_contents(medium: Asset, *, actor: Actor, contents: Iterable[Asset]) -> Asset:
    """Record what a medium holds; its class rises to the highest of them."""
    access.require(actor, "assets.manage", medium)
    items = list(contents)
    if medium.form != AssetForm.MEDIUM:
        raise ValidationError(_("収録資産を登録できるのは記録媒体だけです。"))
    if any(a.organization_id != medium.organization_id or a.pk == medium.pk for a in items):
        raise ValidationError(_("収録資産が正しくありません。"))
    medium.contents.set(items)
    record_change(
        medium.organization,
        actor=actor,
        action=AssetAuditAction.SET_MEDIUM_CONTENTS,
        obj=medium,
        after={"contents": sorted(a.name for a in items)},
    )
    _recompute_medium(medium, actor)
    return medium


class DisposalRecord(Protocol):
    """The record book entry that completed a disposal (a records.RecordEntry)."""

    pk: Any
    book: str
    number: str


@transaction.atomic
def dispose_asset(asset: Asset, *, actor: Actor, at: datetime, entry: DisposalRecord) -> Asset:
    """Mark the asset 廃棄済み once its disposal is recorded as done (002 3(2)コ(イ)).

    Called by the record books when the disposal record entry of the asset's approved 廃棄
    is completed; whoever may write that record (`records.write`) marks the asset with it,
    since the pack, not the register's keepers, decided the disposal. The asset is kept,
    hidden from the register's lists unless asked for; a disposed asset is never disposed
    of again.
    """
    access.require(actor, "records.write", asset)
    locked = Asset.objects.select_for_update().select_related("organization").get(pk=asset.pk)
    if locked.disposed_at is not None:
        raise ValidationError(_("「%(name)s」は既に廃棄済みです。") % {"name": locked.name})
    before = {"disposed_at": None, "disposal_record": None}
    locked.disposed_at, locked.disposed_by_entry_id = at, entry.pk
    locked.save(update_fields=["disposed_at", "disposed_by_entry"])
    record_change(
        locked.organization,
        actor=actor,
        action=AssetAuditAction.DISPOSE_ASSET,
        obj=locked,
        before=before,
        after={
            "name": locked.name,
            "disposed_at": locked.disposed_at,
            "disposal_record": {"book": entry.book, "number": entry.number, "id": entry.pk},
        },
    )
    asset.disposed_at, asset.disposed_by_entry_id = locked.disposed_at, locked.disposed_by_entry_id
    return locked


BULK_KEYS = frozenset({"classification", "unclear", *EDITABLE})


@transaction.atomic
def bulk_register_assets(
    organization: Organization, *, actor: Actor, rows: Iterable[Mapping[str, Any]]
) -> list[int]:
    """Add many assets at once (an import), each checked as `register_asset` checks it.

    A row holds `register_asset`'s keyword arguments (`name`, `department`, `form`,
    `classification` or `unclear`, and the editable fields; no copies). Every asset gets
    the `register_asset` ChangeRecord that `register_asset` would write; any bad row writes
    nothing. Rows and records go in with `kitei.core.bulk.insert_rows`: 100,000 rows in
    seconds, where the ORM's bulk_create takes minutes. Returns the new assets' ids, in the
    rows' order.
    """
    access.require(actor, "assets.manage", organization)
    resolved: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
    checked = []
    for number, row in enumerate(rows, 1):
        try:
            checked.append(_bulk_row(organization, row, resolved))
        except ValidationError as exc:
            raise ValidationError(
                _("%(n)d件目: %(errors)s") % {"n": number, "errors": " ".join(exc.messages)}
            ) from None
    ids = _insert_assets(organization, actor, [values for values, _after in checked])
    record_changes(
        organization,
        actor=actor,
        entries=(
            {"action": AssetAuditAction.REGISTER_ASSET, "object_type": "assets.asset",
             "object_id": str(pk), "after": after}
            for pk, (_values, after) in zip(ids, checked, strict=True)
        ),
    )  # fmt: skip
    return ids


def _bulk_row(
    organization: Organization,
    row: Mapping[str, Any],
    resolved: dict[tuple[tuple[str, str], ...], dict[str, str]],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One checked row: its field values, and the snapshot its ChangeRecord carries."""
    unknown = set(row) - BULK_KEYS
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    fields = {k: v for k, v in row.items() if k not in ("classification", "unclear")}
    if not fields.get("name") or fields.get("department") is None or not fields.get("form"):
        raise ValidationError(_("名称・所管部署・形態は必須です。"))
    _check(organization, fields)
    classification: dict[str, str] = {}
    status = ClassificationStatus.UNCLEAR
    if not row.get("unclear"):
        raw = row.get("classification") or {}
        if not raw:
            raise ValidationError(_("分類を指定するか、「分類が不明」を選んでください。"))
        key = tuple(sorted((str(k), str(v)) for k, v in raw.items()))
        if key not in resolved:
            resolved[key] = resolve_classification(organization, raw)
        classification, status = dict(resolved[key]), ClassificationStatus.DECIDED
    values = {**fields, "classification": classification, "classification_status": status}
    owner, system = fields.get("owner"), fields.get("system")
    after = {  # what snapshot() gives for the saved asset (a test holds the two together)
        "name": fields["name"],
        "description": fields.get("description", ""),
        "department": fields["department"].name,
        "owner": owner.name if owner else "",
        "classification": classification,
        "classification_status": str(status),
        "form": fields["form"],
        "storage_location": fields.get("storage_location", ""),
        "system": system.name if system else "",
        "retention": fields.get("retention", ""),
        "disclosure": fields.get("disclosure", Disclosure.UNDECIDED),
        "copy_of": None,
    }
    return values, after


def _insert_assets(
    organization: Organization, actor: Actor, rows: list[dict[str, Any]]
) -> list[int]:
    """Insert the checked rows (every column given); their new ids in the rows' order."""
    fields = [f for f in Asset._meta.concrete_fields if not f.primary_key]
    fixed = {
        "organization": organization,
        "created_by": actor.pk if isinstance(actor, User) else None,
        "created_at": timezone.now(),
    }
    defaults = {f.name: f.get_default() for f in fields}
    values = [
        [fixed[f.name] if f.name in fixed else row.get(f.name, defaults[f.name]) for f in fields]
        for row in rows
    ]
    return insert_rows(Asset, [f.name for f in fields], values, returning=True)
