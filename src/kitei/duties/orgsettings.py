"""Organisation settings with provenance: values the seed leaves open, set by the organisation.

The seed decides and kitei records: where a pack duty says 定期的 or a parameter is
`unspecified`, the organisation may decide its own value in its 実施手順, with the basis
(「情報セキュリティ実施手順 第5条」), who decided and on which day. There are no built-in
defaults. A value the seed gives cannot be overridden. History is kept by appending: a
change is a new `OrgSetting` row, and the value of a key on a day is that of the latest
row decided on or before it (an empty value unsets it again). `resolve` answers what a
value is and where it comes from: `seed`, `organization` or `unset`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.services import record_change
from kitei.duties.choices import DutyAuditAction, SettingSource
from kitei.duties.models import OrgSetting
from kitei.duties.periods import parse_interval
from kitei.policy.model import DURATION, UNSPECIFIED, Pack


@dataclass(frozen=True, kw_only=True)
class SettingKey:
    """A value an organisation may (or, where the seed gives it, may not) set."""

    key: str
    kind: str  # interval | lead | parameter | tolerance
    title: str
    clause: str
    quote: str
    seed_value: str | None  # the seed's own value, when it gives one
    unit: str = "duration"  # duration | count | text


def setting_keys(pack: Pack) -> dict[str, SettingKey]:
    """Every key of the pack an organisation setting can name, with the seed's citation."""
    keys: dict[str, SettingKey] = {}
    for duty in pack.periodic_duties:
        seed: str | None = None
        if duty.frequency == "fiscal_year":
            seed = "P1Y"
        elif DURATION.match(duty.frequency):
            seed = duty.frequency
        cite = {"clause": duty.clause, "quote": duty.quote}
        if duty.frequency not in ("as_needed", "continuous"):
            keys[f"duty:{duty.id}:interval"] = SettingKey(
                key=f"duty:{duty.id}:interval",
                kind="interval",
                title=_("%(duty)s の実施間隔") % {"duty": duty.title},
                seed_value=seed,
                **cite,
            )
            keys[f"duty:{duty.id}:lead"] = SettingKey(
                key=f"duty:{duty.id}:lead",
                kind="lead",
                title=_("%(duty)s の事前通知") % {"duty": duty.title},
                seed_value=None,
                **cite,
            )
    for param in pack.parameters:
        cite = {"clause": param.clause, "quote": param.quote}
        value = None if param.value == UNSPECIFIED else str(param.value)
        keys[f"parameter:{param.id}"] = SettingKey(
            key=f"parameter:{param.id}",
            kind="parameter",
            title=param.title,
            seed_value=value,
            unit=param.unit,
            **cite,
        )
        if param.approximate:
            keys[f"parameter:{param.id}:tolerance"] = SettingKey(
                key=f"parameter:{param.id}:tolerance",
                kind="tolerance",
                title=_("%(title)s の許容範囲（程度）") % {"title": param.title},
                seed_value=None,
                **cite,
            )
    return keys


def pack_of(organization: Any) -> Pack:
    """The pack version the organisation is bound to."""
    return access.engine_for(organization.pack_id, organization.pack_digest).pack


@dataclass(frozen=True, kw_only=True)
class Resolved:
    """A value and where it comes from; `setting` is the organisation's row when it decided."""

    key: SettingKey
    value: str | None
    source: SettingSource
    setting: OrgSetting | None = None


def latest(organization: Any, *, on: date | None = None) -> dict[str, OrgSetting]:
    """Each key's row in force on `on` (default: the latest decision of every key)."""
    rows = access.scoped(OrgSetting.objects.all(), organization)
    if on is not None:
        rows = rows.filter(decided_on__lte=on)
    found: dict[str, OrgSetting] = {}
    for row in rows.order_by("key", "decided_on", "pk"):
        found[row.key] = row
    return found


def resolve(
    organization: Any,
    key: str,
    *,
    on: date | None = None,
    pack: Pack | None = None,
    settings: dict[str, OrgSetting] | None = None,
) -> Resolved:
    """The value of `key` for the organisation, and its source: seed, organization or unset."""
    keys = setting_keys(pack or pack_of(organization))
    info = keys.get(key)
    if info is None:
        raise ValidationError(_("「%(key)s」は設定できる項目ではありません。") % {"key": key})
    if info.seed_value is not None:
        return Resolved(key=info, value=info.seed_value, source=SettingSource.SEED)
    row = (settings if settings is not None else latest(organization, on=on)).get(key)
    if row is None or not row.value:
        return Resolved(key=info, value=None, source=SettingSource.UNSET, setting=row)
    return Resolved(key=info, value=row.value, source=SettingSource.ORGANIZATION, setting=row)


def resolve_all(organization: Any, *, on: date | None = None) -> list[Resolved]:
    """Every settable key of the organisation's pack with its value and source."""
    pack = pack_of(organization)
    settings = latest(organization, on=on)
    return [resolve(organization, key, pack=pack, settings=settings) for key in setting_keys(pack)]


def history(organization: Any, key: str | None = None) -> list[OrgSetting]:
    """Every decision of the organisation (of one key), newest first."""
    rows = access.scoped(OrgSetting.objects.all(), organization)
    if key:
        rows = rows.filter(key=key)
    return list(rows.order_by("-decided_on", "-pk"))


def _check_value(info: SettingKey, value: str) -> str:
    if not value:
        return value
    if info.kind in ("interval", "lead"):
        parse_interval(value)  # calendar periods only; a Japanese ValidationError otherwise
    elif info.unit == "count":
        if not value.isdigit() or int(value) <= 0:
            raise ValidationError(_("値は1以上の整数で入力してください。"), code="value")
    elif info.unit == "duration" and not DURATION.match(value):
        raise ValidationError(
            _("値は ISO 8601 の期間（例: P1M = 1か月、P7D = 7日）で入力してください。"),
            code="value",
        )
    return value


@transaction.atomic
def set_setting(
    organization: Any,
    *,
    actor: access.Actor,
    key: str,
    value: str,
    basis: str,
    decided_by: str,
    decided_on: date,
) -> OrgSetting:
    """Record the organisation's decision on `key` (an empty value unsets it again)."""
    access.require(actor, "settings.manage", organization)
    info = setting_keys(pack_of(organization)).get(key)
    if info is None:
        raise ValidationError(
            _("「%(key)s」は設定できる項目ではありません。") % {"key": key}, code="key"
        )
    if info.seed_value is not None:
        raise ValidationError(
            _("この値はポリシー（%(clause)s）が定めています（%(value)s）。組織では変えられません。")
            % {"clause": info.clause, "value": info.seed_value},
            code="seed",
        )
    value = _check_value(info, value.strip())
    basis, decided_by = basis.strip(), decided_by.strip()
    if not basis:
        raise ValidationError(_("根拠（実施手順の条項など）を入力してください。"), code="basis")
    if not decided_by:
        raise ValidationError(_("決定者を入力してください。"), code="decided_by")
    if decided_on > timezone.localdate():
        raise ValidationError(_("決定日に未来の日付は指定できません。"), code="decided_on")
    before = latest(organization).get(key)
    row = OrgSetting.objects.create(
        organization=organization,
        key=key,
        value=value,
        basis=basis,
        decided_by=decided_by,
        decided_on=decided_on,
        recorded_by=str(actor.get_username()),
    )
    record_change(
        organization,
        actor=actor,
        action=DutyAuditAction.SET_ORG_SETTING,
        obj=row,
        before=_snapshot(before) if before is not None else None,
        after={**_snapshot(row), "clause": info.clause, "quote": info.quote},
    )
    return row


def _snapshot(row: OrgSetting) -> dict[str, Any]:
    return {
        "key": row.key,
        "value": row.value,
        "basis": row.basis,
        "decided_by": row.decided_by,
        "decided_on": row.decided_on.isoformat(),
    }
