"""What proves a duty done: satisfiers registered by the apps that hold the proving objects.

A pack duty names what satisfies it (`satisfied_by`: `audit`, `self_inspection`,
`training_session`, `drill`, `review`, `book:<id>`, `contract_check`). The app holding
those objects registers one function per kind from its `AppConfig.ready`:

    from kitei.duties.satisfiers import Proof, register_satisfier

    def issued_audits(organization, query):
        for report in ...:  # issued inside [query.start, query.end]
            yield Proof(on=report.issued_on, scope_kind="organization", scope_id=None,
                        label=str(report), url=reverse(...), object_type="audits.report",
                        object_id=str(report.pk))

    register_satisfier("audit", issued_audits)

The calendar calls each satisfier once per duty and fiscal year with the year's bounds and
matches the proofs to occurrences: a proof satisfies the occurrence of its own scope
(kind and id) whose period holds the proof's day. `book:<id>` kinds go to the satisfier
registered as `book` with the book id in `query.argument`. kitei.duties registers `book`
and `training_session` itself; audits, inspections and incidents (higher layers) register
theirs. Scopes the calendar cannot list itself (contracts) come from `register_scopes`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from kitei.policy.duties import SATISFIED_BY as SATISFIER_KINDS
from kitei.policy.model import PeriodicDuty


@dataclass(frozen=True, kw_only=True)
class Query:
    """What the calendar asks a satisfier: proofs of `duty` completed in [start, end]."""

    duty: PeriodicDuty
    argument: str  # the book id of `book:<id>`; "" otherwise
    start: date
    end: date


@dataclass(frozen=True, kw_only=True)
class Proof:
    """An object that completed on `on`, for one scope (kind and id; id None: the organisation)."""

    on: date
    scope_kind: str
    scope_id: int | None
    label: str
    url: str = ""
    object_type: str = ""
    object_id: str = ""


Satisfier = Callable[[Any, Query], Iterable[Proof]]


@dataclass(frozen=True, kw_only=True)
class Scope:
    """One thing a duty is owed for: the organisation, a 課, a system, a person, a contract."""

    kind: str
    id: int | None
    name: str
    department_id: int | None = None  # the 課 a system or person belongs to
    manager_id: int | None = None  # the 情報システム台帳's 情報システム管理者 of a system
    operator_id: int | None = None


ScopeProvider = Callable[[Any], Iterable[Scope]]

_SATISFIERS: dict[str, Satisfier] = {}
_SCOPES: dict[str, ScopeProvider] = {}


def register_satisfier(kind: str, satisfier: Satisfier) -> None:
    """Let `satisfier` prove duties whose `satisfied_by` names `kind` (`book` for book:<id>)."""
    if kind not in (*SATISFIER_KINDS, "book"):
        raise ValueError(f"unknown satisfier kind {kind!r}")
    known = _SATISFIERS.get(kind)
    if known is not None and known is not satisfier:
        raise ValueError(f"satisfier {kind!r} is registered twice")
    _SATISFIERS[kind] = satisfier


def satisfier_for(kind: str) -> tuple[Satisfier | None, str]:
    """The registered satisfier of a `satisfied_by` value and its argument (the book id)."""
    name, _sep, argument = kind.partition(":")
    return _SATISFIERS.get(name), argument


def register_scopes(kind: str, provider: ScopeProvider) -> None:
    """Let a higher app list the scopes of a kind the calendar cannot list (contracts)."""
    known = _SCOPES.get(kind)
    if known is not None and known is not provider:
        raise ValueError(f"scope provider {kind!r} is registered twice")
    _SCOPES[kind] = provider


def scope_provider(kind: str) -> ScopeProvider | None:
    """The registered provider of a scope kind, if any."""
    return _SCOPES.get(kind)


def registered() -> dict[str, list[str]]:
    """The registered kinds (for tests and docs)."""
    return {"satisfiers": sorted(_SATISFIERS), "scopes": sorted(_SCOPES)}
