"""The audit actions: every ChangeRecord names one, declared by its app with a Japanese label.

Each app declares the actions its services record as a `TextChoices` in its `choices.py`,
decorated with `@audit.actions`; its AppConfig imports that module when Django starts, so
the audit-trail page knows every label. `record_change` refuses an action nobody declared
(`ValueError`): a typo cannot reach the hash chain. Core never imports the apps; they
register here. Values are what the chain stores, so a declared value never changes.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import TextChoices

AuditAction = TextChoices
"""The type of an audit action: a member of some app's registered `TextChoices`."""

C = TypeVar("C", bound=type[TextChoices])

_REGISTRY: dict[str, TextChoices] = {}


def actions(choices: C) -> C:
    """Register every member of `choices` as an audit action (a class decorator).

    Registering the same class twice is harmless; a value another class already declared
    is a `ValueError` (two apps would share one name in the trail), and nothing of the
    class is registered then.
    """
    for member in choices:
        known = _REGISTRY.get(member.value)
        if known is not None and _name(type(known)) != _name(choices):
            raise ValueError(
                f"audit action {member.value!r} of {_name(choices)} is already "
                f"declared by {_name(type(known))}"
            )
    for member in choices:
        _REGISTRY[member.value] = member
    return choices


def _name(choices: type[TextChoices]) -> str:
    return f"{choices.__module__}.{choices.__qualname__}"


def action(value: str) -> TextChoices:
    """The registered action with this value (a member, or its value), else `ValueError`."""
    found = _REGISTRY.get(str(value))
    if found is None:
        raise ValueError(
            f"unknown audit action {value!r}: declare it in the app's choices.py "
            "with @audit.actions"
        )
    return found


def is_registered(value: str) -> bool:
    """Whether some app declared this action."""
    return str(value) in _REGISTRY


def label(value: str) -> str:
    """The Japanese label of an action; an action no longer declared shows its value."""
    found = _REGISTRY.get(value)
    return str(found.label) if found is not None else value


def choices() -> list[tuple[str, str]]:
    """Every registered action as (value, label), in label order (the audit page's filter)."""
    return sorted(((v, str(m.label)) for v, m in _REGISTRY.items()), key=lambda c: c[1].casefold())
