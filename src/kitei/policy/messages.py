"""Errors that say what to type: pydantic's and the loader's messages rewritten for a YAML author.

- One message per place: the errors pydantic gives for each member of a union (`a text or a
  list`) are one message, written from the key's type; no Python type words ("valid tuple"
  becomes "a list of role ids: write [information_security_manager]").
- A value outside a fixed set gets "did you mean" with the closest allowed value and the list of
  allowed ones; so do an unknown role, action, level, axis, book or party in the reference
  checks, and a role written by its Japanese title where the id is needed.
- Every message appears once (the loader sorts and de-duplicates).
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Callable, Iterable
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from kitei.policy.actions import CANONICAL_ACTIONS
from kitei.policy.model import CaseFile, Pack

LIST_MAX = 30
"""At most this many valid values are listed after "one of"."""

# What the items of a list key are, by key name (the schema says "list of text").
_ITEMS = {
    "roles": "role ids",
    "from": "role or party ids",
    "to": "role or party ids",
    "actors": "role ids",
    "actor_role": "role ids",
    "aliases": "names",
    "records": "record book ids",
    "actions": "action ids",
    "in": "level ids",
    "resource_kind": "resource kinds",
    "obligations": "obligation ids",
    "constraints": "separation ids",
    "clause": "clauses",
    "approvals": "approval steps ({mode, roles})",
    "steps": "steps ({from, to, clause, quote})",
}
_ALIASES = {"not_": "not", "in_": "in", "from_": "from"}
_ROOTS: dict[str, type[BaseModel]] = {"Pack": Pack, "CaseFile": CaseFile}


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'? one of: a, b …)' for a word not among the choices."""
    options = list(dict.fromkeys(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.5)
    guess = f"did you mean '{close[0]}'? " if close else ""
    shown = ", ".join(options[:LIST_MAX]) + (" …" if len(options) > LIST_MAX else "")
    return f" ({guess}one of: {shown})" if options else ""


def schema_errors(
    path: Any, data: Any, exc: ValidationError, line_of: Callable[[Any, tuple[Any, ...]], int]
) -> list[str]:
    """`file:line: message` for each place the model rejects, one message per place."""
    root = _ROOTS.get(exc.title, Pack)
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for err in exc.errors():
        groups.setdefault(_real_loc(tuple(err["loc"]), data), []).append(err)
    errors = []
    for loc, errs in groups.items():
        if _knock_on(loc, errs, groups):
            continue
        message = _message(loc, errs, root, _value_at(data, loc))
        errors.append(f"{path}:{line_of(data, loc)}: {message}")
    return errors


def _knock_on(loc: tuple[Any, ...], errs: list[Any], groups: dict[Any, Any]) -> bool:
    """A list "too short" only because its items failed (pydantic drops failed items)."""
    if any(e["type"] != "too_short" for e in errs):
        return False
    return any(other[: len(loc)] == loc and len(other) > len(loc) for other in groups)


def _real_loc(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """The location without pydantic's union-member tags ('str', 'tuple[str, ...]' …)."""
    real: list[Any] = []
    current = data
    for i, part in enumerate(loc):
        if isinstance(current, dict):
            key = _ALIASES.get(part, part) if isinstance(part, str) else part
            if key in current:
                real.append(key)
                current = current[key]
            elif i == len(loc) - 1 and not _is_tag(part):
                real.append(key)  # a missing key
            continue
        if isinstance(current, list) and isinstance(part, int) and part < len(current):
            real.append(part)
            current = current[part]
    return tuple(real)


def _is_tag(part: Any) -> bool:
    return isinstance(part, str) and bool(re.search(r"[\[\]\-,. ]|^(str|int|bool|float)$", part))


def _value_at(data: Any, loc: tuple[Any, ...]) -> Any:
    current = data
    for part in loc:
        in_list = isinstance(current, list) and isinstance(part, int) and part < len(current)
        if not (in_list or (isinstance(current, dict) and part in current)):
            return None
        current = current[part]
    return current


def _field_type(root: type[BaseModel], loc: tuple[Any, ...]) -> tuple[Any, type[BaseModel] | None]:
    """The annotation at `loc` in the model, and the model holding the last key."""
    annotation: Any = root
    owner: type[BaseModel] | None = None
    for part in loc:
        model = _model_of(annotation)
        if isinstance(part, int):
            annotation = _item_of(annotation)
            continue
        if model is None:
            return None, owner
        fields = {(f.alias or n): f for n, f in model.model_fields.items()}
        if part not in fields:
            return None, model
        owner, annotation = model, fields[part].annotation
    return annotation, owner


def _members(annotation: Any) -> list[Any]:
    if get_origin(annotation) in (Union, types.UnionType):
        return [a for a in get_args(annotation) if a is not type(None)]
    return [annotation]


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            return member
    return None


def _item_of(annotation: Any) -> Any:
    for member in _members(annotation):
        if get_origin(member) is tuple:
            return get_args(member)[0]
    return annotation


def _place(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top)"


def _message(loc: tuple[Any, ...], errs: list[Any], root: type[BaseModel], value: Any) -> str:
    kinds = {e["type"] for e in errs}
    key = str(loc[-1]) if loc else ""
    annotation, owner = _field_type(root, loc)
    if "extra_forbidden" in kinds:
        keys = [f.alias or n for n, f in owner.model_fields.items()] if owner else []
        close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
        return f"unknown key '{key}'" + (f" (did you mean '{close[0]}'?)" if close else "")
    if kinds == {"missing"}:
        parent = _place(loc[:-1])
        if key == "clause":
            return f"missing clause in {parent}"
        return f"missing key '{key}' in {parent}"
    return f"{_place(loc)}: {_value_message(errs[0], key, annotation, value)}"


def _value_message(first: Any, key: str, annotation: Any, value: Any) -> str:
    kind = first["type"]
    if kind in ("literal_error", "enum"):
        allowed = re.findall(r"'([^']*)'", first.get("ctx", {}).get("expected", ""))
        return f"'{value}' is not allowed{did_you_mean(str(value), allowed)}"
    if kind in ("value_error", "assertion_error"):
        return re.sub(r"^(Value|Assertion) error, ", "", first["msg"])
    if kind in ("too_short", "string_too_short"):
        return f"must not be empty: {_wanted(key, annotation, value)}"
    if kind in ("too_long", "string_too_long"):
        unit = "characters" if kind == "string_too_long" else "items"
        return f"too long: at most {first.get('ctx', {}).get('max_length')} {unit}"
    return _wanted(key, annotation, value)


def _wanted(key: str, annotation: Any, value: Any) -> str:
    """What to type at a key of this type, with the author's own value reshaped if it can be."""
    members = _members(annotation)
    words = []
    for member in members:
        origin = get_origin(member)
        if origin is tuple:
            words.append(f"a list of {_ITEMS.get(key, 'values')}")
        elif origin is dict:
            words.append("a mapping of names to values")
        elif isinstance(member, type) and issubclass(member, BaseModel):
            words.append(f"a mapping (the keys of {member.__name__} in docs/pack-schema.md)")
        else:
            words.append(
                {str: "text", int: "a whole number", bool: "true or false"}.get(member, "a value")
            )
    want = " or ".join(dict.fromkeys(words)) or "a value"
    if str in members and isinstance(value, int | float) and not isinstance(value, bool):
        return f'{want}: write it in quotes, "{value}"'
    scalar_list = any(get_origin(m) is tuple and _model_of(get_args(m)[0]) is None for m in members)
    if scalar_list and isinstance(value, str | int):
        return f"{want}: write [{value}]"
    return f"expected {want}"


# ---- reference errors ------------------------------------------------------------------

_REFERENCE = re.compile(
    r"(?P<what>undefined role or party|undefined role|unknown action|undefined record book"
    r"|unknown axis|unknown level) '(?P<name>[^']*)'(?: of axis '(?P<axis>[^']*)')?$"
)


def explain_reference(message: str, pack: Pack) -> str:
    """A loader reference error with "did you mean" and the valid ids appended."""
    found = _REFERENCE.search(message)
    if found is None:
        return message
    what, name = found["what"], found["name"]
    roles = {r.id: r for r in pack.roles}
    choices: list[str]
    if what in ("undefined role", "undefined role or party"):
        choices = list(roles) + ([p.id for p in pack.parties] if "party" in what else [])
        by_title = next(
            (r.id for r in pack.roles if name in (r.title, *r.aliases)),
            next((p.id for p in pack.parties if name in (p.title, *p.aliases)), None),
        )
        if by_title:
            return f"{message} (write the id '{by_title}', not the title)"
    elif what == "unknown action":
        choices = [*CANONICAL_ACTIONS, *(a.id for a in pack.actions)]
    elif what == "undefined record book":
        choices = [b.id for b in pack.record_books]
    elif what == "unknown axis":
        choices = [a.id for a in pack.classification.axes]
    else:
        axis = next((a for a in pack.classification.axes if a.id == found["axis"]), None)
        choices = [lv.id for lv in axis.levels] if axis else []
    return message + did_you_mean(name, choices)
