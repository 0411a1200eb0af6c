"""Loads a pack.yaml into a validated `Pack`, reporting every problem as `file:line: message`.

YAML is read with `safe_load` semantics (libyaml when present) keeping the line of every
mapping key, so that both schema errors (unknown key, wrong type) and reference errors
(undefined role, unknown level, unknown action) point at the line to fix. A pack either
loads whole or not at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kitei.policy import messages
from kitei.policy.actions import CANONICAL_ACTIONS
from kitei.policy.duties import duty_errors
from kitei.policy.model import DURATION, UNSPECIFIED, CaseFile, Condition, Pack
from kitei.policy.permissions import BY_ID as PERMISSIONS
from kitei.policy.permissions import GRANTABLE

try:  # libyaml is an order of magnitude faster; PyYAML wheels ship it
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]  # CSafeLoader is a SafeLoader twin
except AttributeError:  # pragma: no cover - only without libyaml
    _Loader = yaml.SafeLoader


class PackError(Exception):
    """A pack or cases file that cannot be loaded; `errors` holds `file:line: message` lines."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class _Marked(dict[str, Any]):
    """A mapping that remembers the line of itself and of each of its keys."""

    line: int
    key_lines: dict[str, int]


class _MarkedList(list[Any]):
    line: int


def _construct(node: yaml.Node, loader: yaml.SafeLoader) -> Any:
    if isinstance(node, yaml.MappingNode):
        result = _Marked()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            skey = str(key)
            if skey in result:
                raise _DuplicateKeyError(skey, key_node.start_mark.line + 1)
            result[skey] = _construct(value_node, loader)
            result.key_lines[skey] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        items = _MarkedList(_construct(child, loader) for child in node.value)
        items.line = node.start_mark.line + 1
        return items
    return loader.construct_object(node, deep=True)


class _DuplicateKeyError(Exception):
    def __init__(self, key: str, line: int) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


def read_yaml(path: Path, text: str | None = None) -> Any:
    """Parse one YAML document into dicts/lists that remember their lines."""
    source = path.read_text(encoding="utf-8") if text is None else text
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
        if node is None:
            raise PackError([f"{path}:1: the file is empty"])
        return _construct(node, loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise PackError([f"{path}:{line}: invalid YAML: {exc.problem or exc}"]) from exc
    except _DuplicateKeyError as exc:
        raise PackError([f"{path}:{exc.line}: duplicate key '{exc.key}'"]) from exc
    finally:
        loader.dispose()


def _line_of(data: Any, loc: tuple[int | str, ...]) -> int:
    """The line of the deepest element of `loc` that the YAML data can locate."""
    line = getattr(data, "line", 1)
    current = data
    for part in loc:
        if isinstance(current, _Marked) and isinstance(part, str):
            key = (
                part
                if part in current
                else {"not_": "not", "in_": "in", "from_": "from"}.get(part, part)
            )
            if key not in current:
                return current.key_lines.get(key, current.line)
            line = current.key_lines.get(key, line)
            current = current[key]
        elif isinstance(current, list) and isinstance(part, int) and part < len(current):
            current = current[part]
            line = getattr(current, "line", line)
        else:
            break
    return line


def _schema_errors(path: Path, data: Any, exc: ValidationError) -> list[str]:
    """One message per place, saying what to type (kitei.policy.messages)."""
    return sorted(set(messages.schema_errors(path, data, exc, _line_of)), key=_sort_key)


def _sort_key(line: str) -> tuple[int, str]:
    parts = line.split(":", 2)
    try:
        return int(parts[1]), line
    except (IndexError, ValueError):
        return 0, line


@dataclass(frozen=True, kw_only=True)
class LoadedPack:
    """A validated pack with where it came from and the digest of its exact bytes."""

    pack: Pack
    path: Path
    digest: str
    data: Any = field(repr=False, compare=False)


def pack_dir() -> Path:
    """The directory holding the packs shipped with kitei."""
    return Path(str(resources.files("kitei") / "packs"))


def shipped_pack_ids() -> list[str]:
    """Ids of the packs shipped with kitei, sorted."""
    return sorted(p.parent.name for p in pack_dir().glob("*/pack.yaml"))


def resolve_pack_path(ref: str) -> Path:
    """A pack id of a shipped pack, a directory holding pack.yaml, or a pack file path."""
    candidate = Path(ref)
    if candidate.is_dir() and (candidate / "pack.yaml").is_file():
        return candidate / "pack.yaml"
    if candidate.is_file():
        return candidate
    shipped = pack_dir() / ref / "pack.yaml"
    if shipped.is_file():
        return shipped
    known = ", ".join(shipped_pack_ids())
    raise PackError([f"{ref}: no such pack (known packs: {known})"])


def load_pack(ref: str | Path) -> LoadedPack:
    """Load and validate a pack by id or path; raise PackError listing every problem."""
    path = resolve_pack_path(str(ref))
    return load_pack_source(path.read_bytes(), path)


def load_pack_source(raw: bytes, path: Path) -> LoadedPack:
    """Load and validate a pack from its bytes (e.g. the copy an organisation is bound to)."""
    data = read_yaml(path, raw.decode("utf-8"))
    if not isinstance(data, dict):
        raise PackError([f"{path}:1: a pack must be a mapping at the top level"])
    schema: list[str] = []
    try:
        pack = Pack.model_validate(data)
    except ValidationError as exc:
        schema = _schema_errors(path, data, exc)
        # Unknown keys alone do not stop the reference checks: report both kinds at once.
        unknown = [tuple(e["loc"]) for e in exc.errors() if e["type"] == "extra_forbidden"]
        if len(unknown) < len(exc.errors()):
            raise PackError(schema) from None
        pack = Pack.model_validate(_without(data, unknown))
    errors = schema + [
        messages.explain_reference(e, pack) for e in _reference_errors(path, data, pack)
    ]
    if errors:
        raise PackError(sorted(set(errors), key=_sort_key))
    digest = "sha256:" + hashlib.sha256(raw).hexdigest()
    return LoadedPack(pack=pack, path=path, digest=digest, data=data)


def _without(data: Any, locs: list[tuple[int | str, ...]]) -> Any:
    """A deep copy of the YAML data with the keys at `locs` removed."""
    drop = {loc for loc in locs if loc}

    def copy(value: Any, loc: tuple[int | str, ...]) -> Any:
        if isinstance(value, dict):
            return {k: copy(v, (*loc, k)) for k, v in value.items() if (*loc, k) not in drop}
        if isinstance(value, list):
            return [copy(v, (*loc, i)) for i, v in enumerate(value)]
        return value

    return copy(data, ())


def _reference_errors(path: Path, data: Any, pack: Pack) -> Iterator[str]:
    """Undefined roles, levels, axes, actions, record books and duplicate ids."""

    def at(*loc: int | str) -> str:
        return f"{path}:{_line_of(data, loc)}"

    yield from _duplicate_ids(pack, at)
    yield from _restriction_errors(pack, at)
    yield from _rule_errors(pack, at)
    yield from _other_reference_errors(pack, at)
    yield from _grant_errors(pack, at)
    yield from duty_errors(pack, at)
    yield from _incident_errors(pack, at)
    yield from _control_errors(pack, at)


_At = Callable[..., str]


def _duplicate_ids(pack: Pack, at: _At) -> Iterator[str]:
    names = ("roles", "parties", "rules", "record_books", "parameters", "periodic_duties")
    for name in (*names, "incident_kinds", "severity_levels", "controls"):
        seen: set[str] = set()
        for i, item in enumerate(getattr(pack, name)):
            if item.id in seen:
                yield f"{at(name, i, 'id')}: duplicate id '{item.id}' in {name}"
            seen.add(item.id)


def _restriction_errors(pack: Pack, at: _At) -> Iterator[str]:
    for ai, axis in enumerate(pack.classification.axes):
        levels = [lv.id for lv in axis.levels]
        for ri, restriction in enumerate(axis.restrictions):
            for key in ("min", "max"):
                value = getattr(restriction, key)
                if value is not None and value not in levels:
                    loc = ("classification", "axes", ai, "restrictions", ri, key)
                    yield f"{at(*loc)}: unknown level '{value}' of axis '{axis.id}'"


def _rule_errors(pack: Pack, at: _At) -> Iterator[str]:
    role_ids = {r.id for r in pack.roles}
    book_ids = {b.id for b in pack.record_books}
    axes = {a.id: [lv.id for lv in a.levels] for a in pack.classification.axes}
    actions = set(CANONICAL_ACTIONS) | {a.id for a in pack.actions}
    for i, rule in enumerate(pack.rules):
        if rule.action not in actions:
            yield f"{at('rules', i, 'action')}: unknown action '{rule.action}'"
        for si, step in enumerate(rule.approvals):
            for rid in step.roles:
                if rid not in role_ids:
                    yield f"{at('rules', i, 'approvals', si, 'roles')}: undefined role '{rid}'"
        for book in rule.records:
            if book not in book_ids:
                yield f"{at('rules', i, 'records')}: undefined record book '{book}'"
        if rule.when is not None:
            for loc, message in _condition_errors(rule.when, role_ids, axes, ()):
                yield f"{at('rules', i, 'when', *loc)}: {message}"
    yield from _separation_errors(pack, at, actions, role_ids, axes)


def _separation_errors(
    pack: Pack, at: _At, actions: set[str], role_ids: set[str], axes: dict[str, list[str]]
) -> Iterator[str]:
    for i, sep in enumerate(pack.separation_of_duties):
        for action in sep.actions:
            if action != "*" and action not in actions:
                yield f"{at('separation_of_duties', i, 'actions')}: unknown action '{action}'"
        if sep.when is not None:
            for loc, message in _condition_errors(sep.when, role_ids, axes, ()):
                yield f"{at('separation_of_duties', i, 'when', *loc)}: {message}"


def _other_reference_errors(pack: Pack, at: _At) -> Iterator[str]:
    who = {r.id for r in pack.roles} | {p.id for p in pack.parties}
    for ci, chain in enumerate(pack.reporting):
        for si, hop in enumerate(chain.steps):
            for key, ids in (("from", hop.from_), ("to", hop.to)):
                for rid in ids:
                    if rid not in who:
                        loc = ("reporting", ci, "steps", si, key)
                        yield f"{at(*loc)}: undefined role or party '{rid}'"
    for i, duty in enumerate(pack.periodic_duties):
        for rid in duty.actors:
            if rid not in who:
                yield f"{at('periodic_duties', i, 'actors')}: undefined role '{rid}'"
    param_ids = {p.id for p in pack.parameters}
    for i, book in enumerate(pack.record_books):
        known = book.retention in param_ids or book.retention == UNSPECIFIED
        if not known and not DURATION.match(book.retention):
            yield (
                f"{at('record_books', i, 'retention')}: retention must be a parameter id, "
                f"an ISO 8601 duration or unspecified"
            )


def _condition_errors(
    cond: Condition, role_ids: set[str], axes: dict[str, list[str]], loc: tuple[int | str, ...]
) -> Iterator[tuple[tuple[int | str, ...], str]]:
    for key in ("all", "any"):
        for i, sub in enumerate(getattr(cond, key) or ()):
            yield from _condition_errors(sub, role_ids, axes, (*loc, key, i))
    if cond.not_ is not None:
        yield from _condition_errors(cond.not_, role_ids, axes, (*loc, "not"))
    for rid in cond.actor_role or ():
        if rid not in role_ids:
            yield (*loc, "actor_role"), f"undefined role '{rid}'"
    test = cond.classification
    if test is not None:
        if test.axis not in axes:
            yield (*loc, "classification", "axis"), f"unknown axis '{test.axis}'"
            return
        for key, value in (("min", test.min), ("max", test.max)):
            if value is not None and value not in axes[test.axis]:
                yield (
                    (*loc, "classification", key),
                    (f"unknown level '{value}' of axis '{test.axis}'"),
                )
        for value in test.in_ or ():
            if value not in axes[test.axis]:
                yield (
                    (*loc, "classification", "in"),
                    (f"unknown level '{value}' of axis '{test.axis}'"),
                )


def load_cases(ref: str | Path) -> tuple[Path, CaseFile]:
    """Load the cases.yaml beside a pack (by pack id, pack path or cases path)."""
    path = Path(str(ref))
    if not (path.is_file() and path.name.endswith(".yaml") and path.name != "pack.yaml"):
        path = resolve_pack_path(str(ref)).parent / "cases.yaml"
    if not path.is_file():
        raise PackError([f"{path}: no cases file"])
    data = read_yaml(path)
    try:
        return path, CaseFile.model_validate(data)
    except ValidationError as exc:
        raise PackError(_schema_errors(path, data, exc)) from None


def _grant_errors(pack: Pack, at: _At) -> Iterator[str]:
    """Grants of unknown or ungrantable permissions, or citing an undefined pack note."""
    note_ids = {n.id for n in pack.notes}
    for ri, role in enumerate(pack.roles):
        for gi, grant in enumerate(role.grants):
            info = PERMISSIONS.get(grant.permission)
            if info is None:
                known = ", ".join(sorted(GRANTABLE))
                yield (
                    f"{at('roles', ri, 'grants', gi, 'permission')}: unknown permission "
                    f"'{grant.permission}' (one of: {known})"
                )
            elif not info.grantable:
                yield (
                    f"{at('roles', ri, 'grants', gi, 'permission')}: '{grant.permission}' is "
                    f"every member's already and cannot be granted"
                )
            if grant.note is not None and grant.note not in note_ids:
                yield f"{at('roles', ri, 'grants', gi, 'note')}: undefined note '{grant.note}'"


def _incident_errors(pack: Pack, at: _At) -> Iterator[str]:
    """Incident kinds naming a chain event, `when` naming a severity level, triage roles."""
    events = {chain.event for chain in pack.reporting}
    for i, kind in enumerate(pack.incident_kinds):
        if kind.event not in events:
            yield f"{at('incident_kinds', i, 'event')}: no reporting chain has event '{kind.event}'"
    levels = {level.id for level in pack.severity_levels}
    for ci, chain in enumerate(pack.reporting):
        for si, hop in enumerate(chain.steps):
            severity = hop.when.severity if hop.when is not None else None
            if severity is not None and severity not in levels:
                loc = ("reporting", ci, "steps", si, "when", "severity")
                yield f"{at(*loc)}: unknown severity level '{severity}'"
    triage = pack.incident_triage
    if triage is not None:
        role_ids = {r.id for r in pack.roles}
        for key in ("role", "ciso"):
            value = getattr(triage, key)
            if value is not None and value not in role_ids:
                yield f"{at('incident_triage', key)}: undefined role '{value}'"
    owner = pack.finding_owner
    if owner is not None and owner.role not in {r.id for r in pack.roles}:
        yield f"{at('finding_owner', 'role')}: undefined role '{owner.role}'"


def _control_errors(pack: Pack, at: _At) -> Iterator[str]:
    """Controls naming an undefined role, record book, action or periodic duty."""
    roles = {r.id for r in pack.roles}
    known = {
        "book": ({b.id for b in pack.record_books}, "record book"),
        "action": (set(CANONICAL_ACTIONS) | {a.id for a in pack.actions}, "action"),
        "duty": ({d.id for d in pack.periodic_duties}, "periodic duty"),
    }
    for i, control in enumerate(pack.controls):
        for rid in control.actors:
            if rid not in roles:
                yield f"{at('controls', i, 'actors')}: undefined role '{rid}'"
        for hint in control.evidence:
            kind, ref = hint.split(":", 1)
            ids, label = known[kind]
            if ref not in ids:
                yield f"{at('controls', i, 'evidence')}: undefined {label} '{ref}'"
