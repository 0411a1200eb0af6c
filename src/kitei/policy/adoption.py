"""Adopting a shipped pack as an organisation's baseline (`kitei policy adopt`, `diff`).

A body whose own 対策基準 is not encoded (its seed is a 基本方針 only) may decide to follow a
model 対策基準: `adopt` writes a new pack = the organisation's pack + the model's rules with the
model's roles mapped to the organisation's (a role map the organisation decides), each rule
marked `adopted: true`, and an `adoption` record naming the model pack, its version and digest,
who decided and when, and every rule not adopted with the reason (deviations). The rules keep
their citations, with `source` set to the model's seed, so every decision still cites a clause
and quote; its reasons carry `adopted_from`. Nothing is adopted silently: the organisation's own
pack is unchanged, and answers `undetermined` until the adopted pack is the one it is bound to.

Adopted: rules, the record books and `x.` actions they use, and the model's classification when
the organisation's pack defines none. Not adopted (listed by `diff`): separation of duties,
reporting chains, periodic duties and parameters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from kitei.policy.loader import LoadedPack
from kitei.policy.model import Pack


class AdoptionError(Exception):
    """The role map or the packs do not allow the adoption (one line)."""


def adopted_label(pack: Pack) -> str:
    """'mito-city-council 1.3.0 (sha256:…) — <decided_by>, <decided_on>' for a reason."""
    a = pack.adoption
    if a is None:
        return ""
    return f"{a.pack} {a.version} ({a.digest[:19]}…) — {a.decided_by}, {a.decided_on}"


def _roles_in(value: Any) -> Iterator[str]:
    """Role ids a rule's approvals and conditions name."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("roles", "actor_role") and isinstance(item, list):
                yield from (r for r in item if isinstance(r, str))
            else:
                yield from _roles_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _roles_in(item)


def _mapped(value: Any, roles: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {
            k: [roles[r] for r in v] if k in ("roles", "actor_role") else _mapped(v, roles)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_mapped(v, roles) for v in value]
    return value


def _sourced(value: Any, seed: str) -> Any:
    """Every citation in the value names the model's seed."""
    if isinstance(value, dict):
        copy = {k: _sourced(v, seed) for k, v in value.items()}
        if "clause" in copy and "quote" in copy and "source" not in copy:
            copy["source"] = seed
        return copy
    if isinstance(value, list):
        return [_sourced(v, seed) for v in value]
    return value


def _dump(pack: Pack) -> dict[str, Any]:
    data: dict[str, Any] = pack.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return data


def _new_roles(
    model: LoadedPack, role_map: dict[str, Any], own: set[str]
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Roles the organisation adds under its own names, and model id → own id for all."""
    roles, ids = [], {}
    by_id = {r.id: r for r in model.pack.roles}
    for model_id, target in role_map.items():
        if isinstance(target, str):
            ids[model_id] = target
            continue
        if not (isinstance(target, dict) and isinstance(target.get("id"), str)):
            raise AdoptionError(f"role map: '{model_id}' needs an id (or {{id, title, holder}})")
        if model_id not in by_id:
            raise AdoptionError(f"role map: '{model_id}' is not a role of {model.pack.id}")
        if target["id"] in own:
            raise AdoptionError(f"role map: '{target['id']}' is already a role of the pack")
        role = by_id[model_id].model_dump(mode="json", by_alias=True, exclude_defaults=True)
        role.pop("aliases", None)
        role.pop("grants", None)  # kitei permissions are granted by the organisation's own pack
        role.update({k: str(v) for k, v in target.items() if k in ("id", "title", "holder")})
        roles.append(_sourced(role, model.pack.source))
        ids[model_id] = target["id"]
    return roles, ids


def adopt(
    org: LoadedPack,
    model: LoadedPack,
    role_map: dict[str, Any],
    *,
    decided_by: str,
    decided_on: str,
    omit: dict[str, str] | None = None,
) -> str:
    """The YAML text of the organisation's pack with the model's rules adopted."""
    org_roles = {r.id for r in org.pack.roles}
    model_roles = {r.id: r.title for r in model.pack.roles}
    seed = model.pack.source
    data = _dump(org.pack)
    new_roles, ids = _new_roles(model, role_map, org_roles)
    for model_id, org_id in ids.items():
        if model_id not in model_roles:
            raise AdoptionError(f"role map: '{model_id}' is not a role of {model.pack.id}")
        if org_id not in org_roles and org_id not in {r["id"] for r in new_roles}:
            raise AdoptionError(f"role map: '{org_id}' is not a role of {org.pack.id}")
    data["roles"] = data.get("roles", []) + new_roles
    role_map = ids
    own_rules = {r.id for r in org.pack.rules}
    rules, deviations, books, actions, axes = [], [], set(), set(), False
    for rule in _dump(model.pack).get("rules", []):
        unmapped = sorted({r for r in _roles_in(rule) if r not in role_map})
        reason = (omit or {}).get(rule["id"])
        if reason is None and rule["id"] in own_rules:
            reason = "この組織のパックに同じ id の規則があり、そちらを維持する"
        if reason is None and unmapped:
            titles = "、".join(model_roles[r] for r in unmapped)
            reason = f"対応する役割が役割対応表にない（{titles}）"
        if reason is not None:
            deviations.append({"rule": rule["id"], "reason": reason})
            continue
        adopted = _sourced(_mapped(rule, role_map), seed)
        adopted["adopted"] = True
        rules.append(adopted)
        books.update(rule.get("records", []))
        if rule["action"].startswith("x."):
            actions.add(rule["action"])
        axes = axes or "classification" in repr(rule.get("when"))
    data["rules"] = data.get("rules", []) + rules
    model_data = _dump(model.pack)
    own_books = {b.id for b in org.pack.record_books}
    data["record_books"] = data.get("record_books", []) + [
        _sourced(b, seed)
        for b in model_data.get("record_books", [])
        if b["id"] in books and b["id"] not in own_books
    ]
    own_actions = {a.id for a in org.pack.actions}
    data["actions"] = data.get("actions", []) + [
        _sourced(a, seed)
        for a in model_data.get("actions", [])
        if a["id"] in actions and a["id"] not in own_actions
    ]
    with_classification = axes and org.pack.classification.status == "unspecified"
    if with_classification:
        data["classification"] = _sourced(model_data["classification"], seed)
    data["version"] = f"{org.pack.version}+{model.pack.id}.{model.pack.version}"
    data["adoption"] = {
        "pack": model.pack.id,
        "version": model.pack.version,
        "digest": model.digest,
        "decided_by": decided_by,
        "decided_on": decided_on,
        "roles": dict(role_map),
        "classification": with_classification,
        "deviations": deviations,
    }
    header = (
        f"# {org.pack.id}: {org.pack.organization} adopting {model.pack.id} "
        f"{model.pack.version} as its baseline (kitei policy adopt; decided by {decided_by}, "
        f"{decided_on}).\n"
    )
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def adoption_diff(adopted: LoadedPack, model: LoadedPack) -> list[str]:
    """Adopted vs model: rules adopted as is or changed, rules not adopted, and what is not."""
    record = adopted.pack.adoption
    if record is None:
        raise AdoptionError(f"{adopted.pack.id} adopts no model pack (no adoption record)")
    lines = [f"adopted from {record.pack} {record.version} ({record.digest})"]
    if model.digest != record.digest:
        lines.append(
            f"! the model pack has changed since: now {model.pack.version} ({model.digest})"
        )
    ours = {r.id: r for r in adopted.pack.rules if r.adopted}
    roles = record.roles
    for rule in model.pack.rules:
        mine = ours.get(rule.id)
        if mine is None:
            why = next((d.reason for d in record.deviations if d.rule == rule.id), "")
            lines.append(f"- rules {rule.id}: not adopted" + (f" ({why})" if why else ""))
            continue
        expected = _mapped(_dump_rule(rule), roles)
        actual = _dump_rule(mine)
        changed = sorted(
            k for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k)
        )
        lines.append(
            f"~ rules {rule.id}: {', '.join(changed)}" if changed else f"= rules {rule.id}"
        )
    lines.extend(
        f"+ rules {r}: adopted, not in the model"
        for r in ours
        if r not in {x.id for x in model.pack.rules}
    )
    for section in ("separation_of_duties", "reporting", "periodic_duties", "parameters"):
        count = len(getattr(model.pack, section))
        if count:
            lines.append(f"  {section}: {count} in the model, not adopted")
    return lines


def _dump_rule(rule: Any) -> dict[str, Any]:
    data: dict[str, Any] = rule.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    for key in ("adopted", "source"):
        data.pop(key, None)
    return data
