"""How the audit trail shows a record's object and its changes to a person (an auditor).

A ChangeRecord names its object by type (`app_label.model`) and id, and keeps canonical
JSON snapshots before and after. Apps register each model they record
(`register_object`, from their AppConfig.ready) with the permission that reads its page,
the page's address, how to name one object and, optionally, the organisation's words for
the snapshot's keys and values (pack titles of roles, axes, book fields …). Core never
imports the apps: a model nobody registered still shows its verbose name and a plain
field-by-field view.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EMPTY = "—"
"""How a missing or empty value is shown."""

# Keys the workflow helper and several services write; a model field's verbose name or a
# registered label comes first.
COMMON_LABELS: dict[str, Promise] = {
    "state": gettext_lazy("状態"),
    "event": gettext_lazy("手続"),
    "clause": gettext_lazy("根拠条項"),
    "clauses": gettext_lazy("根拠条項"),
    "reason": gettext_lazy("理由"),
    "comment": gettext_lazy("コメント"),
    "name": gettext_lazy("名称"),
    "role": gettext_lazy("役割"),
    "person": gettext_lazy("職員"),
    "department": gettext_lazy("部署"),
    "system": gettext_lazy("情報システム"),
    "username": gettext_lazy("ユーザー名"),
    "count": gettext_lazy("件数"),
    "file": gettext_lazy("ファイル"),
    "sha256": gettext_lazy("SHA-256"),
    "pack": gettext_lazy("ポリシーパック"),
    "": gettext_lazy("値"),
}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


@dataclass(frozen=True, kw_only=True)
class Terms:
    """One organisation's words for a kind's snapshot: key labels and value titles.

    Keys are the snapshot's keys, a nested one as `parent.child` (`classification.
    confidentiality`, `fields.datetime`); values map a stored id to its title (`role`:
    `ciso` → 最高情報セキュリティ責任者).
    """

    labels: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


NO_TERMS = Terms()


@dataclass(frozen=True, kw_only=True)
class ObjectKind:
    """A model the audit trail names: who may open its page, where, and how it is called."""

    model: type[models.Model]
    read: str
    url: Callable[[Any], str | None] | None = None
    name: Callable[[Any], str] = str
    related: tuple[str, ...] = ()
    terms: Callable[[Any], Terms] | None = None

    @property
    def label(self) -> str:
        """The model's Japanese name (its verbose_name)."""
        return str(self.model._meta.verbose_name)


_KINDS: dict[str, ObjectKind] = {}


def register_object(
    model: type[models.Model],
    *,
    read: str,
    url: Callable[[Any], str | None] | None = None,
    name: Callable[[Any], str] = str,
    related: Sequence[str] = (),
    terms: Callable[[Any], Terms] | None = None,
) -> None:
    """Let the audit trail name and link objects of `model` (from the app's AppConfig.ready).

    `read` is the kitei permission the viewer needs on the object for the link; `url` gives
    the object's page (None: no page); `name` its display name, with `related` fetched
    along; `terms(organization)` the words for its snapshots' keys and values.
    """
    _KINDS[model._meta.label_lower] = ObjectKind(
        model=model, read=read, url=url, name=name, related=tuple(related), terms=terms
    )


def kind_of(object_type: str) -> ObjectKind | None:
    """The registered kind of an object type (`app_label.model`), if any."""
    return _KINDS.get(object_type)


def model_of(object_type: str) -> type[models.Model] | None:
    """The model an object type names (registered or not), or None."""
    kind = _KINDS.get(object_type)
    if kind is not None:
        return kind.model
    try:
        return apps.get_model(object_type) if "." in object_type else None
    except (LookupError, ValueError):
        return None


def type_label(object_type: str) -> str:
    """An object type in words: the model's verbose name, else the stored type."""
    model = model_of(object_type)
    return str(model._meta.verbose_name) if model is not None else object_type


def kinds() -> list[tuple[str, str]]:
    """Every registered object type as (type, Japanese name), by name (the page's filter)."""
    return sorted(((t, k.label) for t, k in _KINDS.items()), key=lambda c: c[1])


# --- the changes of one record, field by field ----------------------------------------------


@dataclass(frozen=True, kw_only=True)
class FieldChange:
    """One key of a snapshot: its label, the value before and after, whether it changed."""

    key: str
    label: str
    before: str
    after: str
    changed: bool


def snapshot(text: str) -> dict[str, Any] | None:
    """A stored snapshot (canonical JSON) as a flat dict; nested dicts become `a.b` keys."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return {"": text}
    if not isinstance(value, dict):
        return {"": value}
    flat: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, dict) and item:
            for child, inner in item.items():
                flat[f"{key}.{child}"] = inner
        else:
            flat[key] = item
    return flat


def changes(
    before: str, after: str, *, model: type[models.Model] | None, terms: Terms = NO_TERMS
) -> list[FieldChange]:
    """Every key of the two snapshots in the model's field order, labelled and in words."""
    old, new = snapshot(before), snapshot(after)
    keys = list(dict.fromkeys([*(old or {}), *(new or {})]))
    order = _field_order(model)
    keys.sort(key=lambda k: (order.get(k.split(".", 1)[0], len(order)), k))
    rows = []
    for key in keys:
        was = (old or {}).get(key)
        now = (new or {}).get(key)
        rows.append(
            FieldChange(
                key=key,
                label=label_of(key, model=model, terms=terms),
                before=EMPTY if old is None else text_of(key, was, model=model, terms=terms),
                after=EMPTY if new is None else text_of(key, now, model=model, terms=terms),
                changed=old is None or new is None or was != now,
            )
        )
    return rows


def _field_order(model: type[models.Model] | None) -> dict[str, int]:
    if model is None:
        return {}
    return {f.name: i for i, f in enumerate(model._meta.get_fields())}


def _model_field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    """The model's field a snapshot key names: `role` is RoleAssignment.role_id, say."""
    if model is None or not key:
        return None
    for name in (key, f"{key}_id"):
        try:
            found = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        return found if isinstance(found, models.Field) else None
    return None


def label_of(key: str, *, model: type[models.Model] | None, terms: Terms = NO_TERMS) -> str:
    """A key in words: the registered label, the model field's verbose name, a common label."""
    if key in terms.labels:
        return terms.labels[key]
    if "." in key:
        parent, child = key.split(".", 1)
        return f"{label_of(parent, model=model, terms=terms)} / {terms.labels.get(child, child)}"
    found = _model_field(model, key)
    # A field without an explicit verbose name gets its name with spaces: not a label.
    if found is not None and str(found.verbose_name) != found.name.replace("_", " "):
        return str(found.verbose_name)
    common = COMMON_LABELS.get(key)
    return str(common) if common is not None else key


def text_of(key: str, value: Any, *, model: type[models.Model] | None, terms: Terms) -> str:
    """A snapshot value in words: titles for ids and choices, はい/いいえ, local times."""
    if value is None or value in ("", [], {}):
        return EMPTY
    if isinstance(value, bool):
        return _("はい") if value else _("いいえ")
    if isinstance(value, list):
        return "、".join(text_of(key, v, model=model, terms=terms) for v in value)
    if isinstance(value, dict):
        return "、".join(
            f"{terms.labels.get(k, k)}: {text_of(f'{key}.{k}', v, model=model, terms=terms)}"
            for k, v in value.items()
        )
    return _scalar_text(key, str(value), model=model, terms=terms)


def _scalar_text(key: str, text: str, *, model: type[models.Model] | None, terms: Terms) -> str:
    """A text or number: the registered title, the field's choice label, a local time."""
    titles = terms.values.get(key)
    if titles is not None and text in titles:
        return titles[text]
    found = _model_field(model, key)
    if found is not None and found.choices:
        choices = {str(k): str(v) for k, v in found.flatchoices}
        if text in choices:
            return choices[text]
    return _local_time(text) if _DATETIME.match(text) else text


def _local_time(text: str) -> str:
    """An ISO time with its offset (how snapshots keep them) in local time, to the minute."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
