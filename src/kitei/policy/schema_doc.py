"""The pack schema reference, generated at run time from the pydantic models.

`kitei policy schema` prints it; docs/pack-schema.md is its Markdown output.

Every model reachable from `Pack` (pack.yaml) and `CaseFile` (cases.yaml) is listed with its
docstring and, per key: the YAML key (its alias where it has one), its type in words, whether
it is required (or its default), the allowed values (Literal and enum values, inside unions and
lists too) and its description: the field's `description`, else the comment written beside or
above it in `kitei/policy/model.py`. Field validators and model validators contribute their
docstrings as rules. Nothing is written by hand, so a key added to the model appears here.
"""

from __future__ import annotations

import enum
import functools
import inspect
import io
import re
import tokenize
import types
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from kitei.policy.actions import CANONICAL_ACTIONS, CONTEXT_FLAGS
from kitei.policy.model import CaseFile, Pack
from kitei.policy.permissions import PERMISSIONS

_FIELD = re.compile(r"^    (\w+)\s*:")

# What a key of this name means wherever the model gives it no comment of its own.
_COMMON = {
    "id": "identifier: English (ISO/IEC 27000 terms), lower case, no romaji; unique in its list",
    "title": "the name as the seed prints it (Japanese)",
    "aliases": "other spellings the seed uses (a typo such as CIS0, an abbreviation)",
    "clause": "the clause as `kitei policy clauses` prints it (6-1(1)ウ(イ), 第2条第10号)",
    "quote": "verbatim from the seed, inside the clause; whitespace ignored, … marks an elision",
    "text": "the seed's wording of it (Japanese)",
    "message": "the Japanese message shown with a decision",
    "when": "a condition: only requests for which it holds (see Condition)",
    "roles": "role ids (or for a request, role ids or titles)",
    "name": "the pack's Japanese name",
    "organization": "the organisation's name",
    "version": 'the pack\'s version (quoted: "1.0.0")',
    "source": "the seed file name",
    "description": "what the pack covers (Japanese)",
}

# Vocabularies a key's value is checked against outside the model (loader, engine).
_VOCABULARIES = {
    ("Rule", "action"): "canonical actions (below) or the pack's own `x.` actions",
    ("Separation", "actions"): "`*`, canonical actions (below) or the pack's own `x.` actions",
    ("Grant", "permission"): "grantable permissions (below)",
    ("Condition", "context"): "context flags (below) → true/false",
}


@dataclass(frozen=True, kw_only=True)
class Key:
    """One key of a model as it is written in YAML."""

    key: str
    type: str
    required: bool
    default: str | None
    allowed: tuple[str, ...]
    description: str
    inherited_from: str | None


@dataclass(frozen=True, kw_only=True)
class ModelDoc:
    """One model: its name, docstring, keys and the rules its validators check."""

    name: str
    doc: str
    keys: tuple[Key, ...]
    rules: tuple[str, ...]


@functools.cache
def _comments(cls: type) -> dict[str, str]:
    """Field name → the comment beside it, or the comment lines just above it, in the source."""
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        return {}
    found: dict[str, str] = {}
    above: list[str] = []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            above.append(stripped.lstrip("#").strip())
            continue
        match = _FIELD.match(line)
        if match:
            beside = _trailing_comment(line)
            found[match.group(1)] = " ".join([*above, beside] if beside else above)
        above = []
    return found


def _trailing_comment(line: str) -> str:
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line.strip() + "\n").readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return ""
    return next((t.string.lstrip("#").strip() for t in tokens if t.type == tokenize.COMMENT), "")


def _words(annotation: Any) -> tuple[str, list[str], list[type[BaseModel]]]:
    """The type in words, the allowed values inside it, and the models it refers to."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return "one of the allowed values", [str(a) for a in args], []
    if origin in (Union, types.UnionType):
        parts = [_words(a) for a in args if a is not type(None)]
        text = " or ".join(dict.fromkeys(p[0] for p in parts))
        return text, [v for p in parts for v in p[1]], [m for p in parts for m in p[2]]
    if origin is tuple:
        text, allowed, models = _words(args[0])
        return f"list of {text}", allowed, models
    if origin is dict:
        value, allowed, models = _words(args[1])
        return f"mapping of {_words(args[0])[0]} to {value}", allowed, models
    return _scalar(annotation)


def _scalar(annotation: Any) -> tuple[str, list[str], list[type[BaseModel]]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"mapping ({annotation.__name__})", [], [annotation]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "one of the allowed values", [str(m.value) for m in annotation], []
    names = {str: "text", int: "integer", bool: "true or false", float: "number"}
    return names.get(annotation, "any value"), [], []


def _default(info: FieldInfo) -> str | None:
    value = None if info.is_required() else info.get_default(call_default_factory=True)
    if value is PydanticUndefined or value is None:
        return None
    if isinstance(value, BaseModel):
        dumped = value.model_dump(exclude_defaults=True, by_alias=True)
        value = ", ".join(f"{k}: {v}" for k, v in dumped.items())
    elif isinstance(value, enum.Enum):
        value = value.value
    elif isinstance(value, tuple):
        value = "[" + ", ".join(map(str, value)) + "]" if value else ""
    elif isinstance(value, bool):
        value = str(value).lower()
    return str(value) or "(empty)"


def _limits(info: FieldInfo, listed: bool) -> list[str]:
    notes = []
    unit = "item" if listed else "character"
    for item in info.metadata:
        for name, words in (("min_length", "at least {} {}"), ("max_length", "at most {} {}")):
            value = getattr(item, name, None)
            if value is not None:
                notes.append(words.format(value, unit + ("s" if value != 1 else "")))
    return notes


def _base_fields(cls: type[BaseModel]) -> dict[str, str]:
    """Field name → the base model that declares it (other than the private `_Frozen`)."""
    owners: dict[str, str] = {}
    for base in reversed(cls.__mro__[1:]):
        if isinstance(base, type) and issubclass(base, BaseModel) and base.__name__[0] != "_":
            for name in getattr(base, "model_fields", {}):
                owners[name] = base.__name__
    return owners


def _rules(cls: type[BaseModel]) -> list[str]:
    decorators = cls.__pydantic_decorators__
    found = []
    for group in (decorators.field_validators, decorators.model_validators):
        for decorator in group.values():
            doc = inspect.getdoc(decorator.func)
            if doc:
                found.append(" ".join(doc.split()))
    return found


@functools.cache
def document(*roots: type[BaseModel]) -> tuple[ModelDoc, ...]:
    """Every model reachable from the roots, roots first, each once."""
    seen: list[type[BaseModel]] = []
    queue: list[type[BaseModel]] = []
    pending = list(roots)
    docs = []
    while queue or pending:
        if not queue:
            queue.append(pending.pop(0))
        cls = queue.pop(0)
        if cls in seen:
            continue
        seen.append(cls)
        comments = _comments(cls)
        for base in cls.__mro__[1:]:
            if isinstance(base, type) and issubclass(base, BaseModel):
                comments = {**_comments(base), **comments}
        owners = _base_fields(cls)
        keys = []
        for name, info in cls.model_fields.items():
            text, allowed, models = _words(info.annotation)
            queue.extend(m for m in models if m not in seen)
            key = info.alias or name
            description = info.description or comments.get(name) or ""
            if not description and len(models) == 1:  # a nested model: its docstring's gist
                description = inspect.cleandoc(models[0].__doc__ or "").split("\n\n")[0]
            elif not description and "mapping" not in text:
                description = _COMMON.get(key, "")
            vocabulary = _VOCABULARIES.get((cls.__name__, key))
            if vocabulary:
                description = "; ".join(filter(None, [description, f"one of the {vocabulary}"]))
            limits = _limits(info, text.startswith("list"))
            if limits:
                description = "; ".join(filter(None, [description, *limits]))
            keys.append(
                Key(
                    key=key,
                    type=text,
                    required=info.is_required(),
                    default=_default(info),
                    allowed=tuple(dict.fromkeys(allowed)),
                    description=description,
                    inherited_from=owners.get(name),
                )
            )
        doc = inspect.cleandoc(cls.__doc__ or "")
        docs.append(
            ModelDoc(name=cls.__name__, doc=doc, keys=tuple(keys), rules=tuple(_rules(cls)))
        )
    return tuple(docs)


def vocabularies() -> dict[str, dict[str, str]]:
    """The values checked outside the model: canonical actions, permissions, context flags."""
    return {
        "canonical_actions": dict(CANONICAL_ACTIONS),
        "grantable_permissions": {p.id: p.title for p in PERMISSIONS if p.grantable},
        "context_flags": dict.fromkeys(sorted(CONTEXT_FLAGS), ""),
    }


def schema_json() -> dict[str, Any]:
    """The schema reference as JSON: files → models → keys, and the vocabularies."""
    return {
        "files": {"pack.yaml": "Pack", "cases.yaml": "CaseFile"},
        "vocabularies": vocabularies(),
        "models": [
            {
                "name": m.name,
                "doc": m.doc,
                "rules": list(m.rules),
                "keys": [
                    {
                        "key": k.key,
                        "type": k.type,
                        "required": k.required,
                        "default": k.default,
                        "allowed": list(k.allowed),
                        "description": k.description,
                        "inherited_from": k.inherited_from,
                    }
                    for k in m.keys
                ],
            }
            for m in document(Pack, CaseFile)
        ],
    }


HEADER = """\
<!-- Generated by `kitei policy schema --format markdown` (make pack-schema); do not edit. -->
# Pack schema reference / パックのスキーマ

Every key of `pack.yaml` (model `Pack`) and `cases.yaml` (model `CaseFile`), generated from
`src/kitei/policy/model.py`. What the keys mean and how to use them, with worked examples, is in
[policy-packs.md](policy-packs.md). `list of X` is a YAML sequence, `mapping (Model)` a nested
mapping described below. A key marked *required* must be present; others take the default.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def schema_markdown() -> str:
    """The schema reference as a Markdown page (docs/pack-schema.md)."""
    lines = [HEADER]
    for model in document(Pack, CaseFile):
        lines.append(f"## {model.name}\n")
        if model.doc:
            lines.append(model.doc + "\n")
        own = [k for k in model.keys if k.inherited_from is None]
        inherited = sorted({k.inherited_from for k in model.keys if k.inherited_from})
        lines.append("| key | type | required / default | allowed values | description |")
        lines.append("| --- | --- | --- | --- | --- |")
        for k in own + [k for k in model.keys if k.inherited_from]:
            need = "*required*" if k.required else (f"`{k.default}`" if k.default else "—")
            allowed = ", ".join(f"`{v}`" for v in k.allowed)
            where = f" (from {k.inherited_from})" if k.inherited_from else ""
            lines.append(
                f"| `{k.key}` | {_cell(k.type)} | {_cell(need)} | {allowed} | "
                f"{_cell(k.description + where)} |"
            )
        if inherited:
            lines.append(f"\nAlso has the keys of: {', '.join(inherited)}.")
        for rule in model.rules:
            lines.append(f"\n- Checked: {rule}")
        lines.append("")
    titles = {
        "canonical_actions": "Canonical actions / 標準の操作",
        "grantable_permissions": "Grantable permissions / 付与できる権限",
        "context_flags": "Context flags / 申請の状況",
    }
    for name, values in vocabularies().items():
        lines.append(f"## {titles[name]}\n")
        lines.append("| id | 日本語 |")
        lines.append("| --- | --- |")
        lines.extend(f"| `{key}` | {_cell(title)} |" for key, title in values.items())
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
