"""The decision engine: `Request` → `Decision`, every answer citing the clauses behind it.

A pack is compiled once: names (ids, Japanese titles, aliases) become lookup tables, rules
are grouped by action and their conditions become closures over a normalised request, and
each rule's reason, approval steps and obligations are built up front. Deciding is then a
walk over the few rules of one action.

Effects combine as `forbid` > `approval_required` > `permit` > `undetermined`; the last
means the pack says nothing about the request, which is never read as "allowed".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kitei.policy.actions import CANONICAL_ACTIONS, CONTEXT_FLAGS
from kitei.policy.adoption import adopted_label
from kitei.policy.decision import (
    CONSTRAINT,
    ApprovalMode,
    Constraint,
    Decision,
    Effect,
    PackRef,
    Reason,
    Step,
)
from kitei.policy.loader import LoadedPack
from kitei.policy.model import Condition, Pack, Rule


class RequestError(ValueError):
    """A request the engine cannot evaluate (unknown action, role, axis or level, bad shape)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    """Who wants to do what to which resource, in what circumstances; names already resolved."""

    action: str
    roles: frozenset[str]
    levels: Mapping[str, int]  # axis id → rank of the level (0 = lowest)
    context: Mapping[str, Any]
    resource_kind: str | None
    resource: Mapping[str, Any]
    actor_id: str | None = None


Predicate = Callable[[Request], bool]

# A constraint, whether it binds only approval routes, and the condition narrowing it.
_CompiledConstraint = tuple[Constraint, bool, Predicate | None]


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    rank: int
    test: Predicate | None
    steps: tuple[Step, ...]
    obligations: tuple[tuple[str, str], ...]
    records: tuple[tuple[str, str, tuple[str, ...]], ...]
    reason: Reason
    axes: frozenset[str]  # axes the condition reads (to explain a missing classification)


@dataclass(slots=True)
class _Names:
    """Lookup of a pack's names: ids, Japanese titles and aliases all resolve to ids."""

    roles: dict[str, str] = field(default_factory=dict)
    axes: dict[str, str] = field(default_factory=dict)
    levels: dict[str, dict[str, int]] = field(default_factory=dict)
    zones: dict[str, str] = field(default_factory=dict)


def _names(pack: Pack) -> _Names:
    names = _Names()
    for role in pack.roles:
        for name in (role.id, role.title, *role.aliases):
            names.roles[name] = role.id
    for axis in pack.classification.axes:
        for name in (axis.id, axis.title, *axis.aliases):
            names.axes[name] = axis.id
        table: dict[str, int] = {}
        for rank, level in enumerate(axis.levels):
            for name in (level.id, level.title, *level.aliases):
                table[name] = rank
                table[name.replace(" ", "")] = rank
        names.levels[axis.id] = table
    for zone in pack.network.zones:
        for name in (zone.id, zone.title, *zone.aliases):
            names.zones[name] = zone.id
    return names


class Engine:
    """Decides requests against one loaded pack."""

    def __init__(self, loaded: LoadedPack) -> None:
        pack = loaded.pack
        self.pack = pack
        self.loaded = loaded
        self.names = _names(pack)
        self._pack_ref = PackRef(id=pack.id, version=pack.version, digest=loaded.digest)
        self._actions = set(CANONICAL_ACTIONS) | {a.id for a in pack.actions}
        role_titles = {r.id: r.title for r in pack.roles}
        books = {b.id: (b.id, b.title, tuple(f.title for f in b.fields)) for b in pack.record_books}
        rules: dict[str, list[_CompiledRule]] = {}
        for rule in pack.rules:
            rules.setdefault(rule.action, []).append(self._compile_rule(rule, role_titles, books))
        self._rules = {action: tuple(items) for action, items in rules.items()}
        self._undetermined = Reason(
            rule="undetermined",
            effect=Effect.UNDETERMINED,
            clause=pack.undetermined.clause,
            source=pack.undetermined.source or pack.source,
            quote=pack.undetermined.quote,
            message=pack.undetermined_message,
        )
        self._constraints = self._compile_constraints()

    # --- compilation -------------------------------------------------------------------
    def _compile_rule(
        self,
        rule: Rule,
        role_titles: dict[str, str],
        books: dict[str, tuple[str, str, tuple[str, ...]]],
    ) -> _CompiledRule:
        axes: set[str] = set()
        test = None if rule.when is None else self._compile_condition(rule.when, axes)
        steps = tuple(
            Step(mode=ApprovalMode(s.mode), roles=tuple((r, role_titles[r]) for r in s.roles))
            for s in rule.approvals
        )
        return _CompiledRule(
            rank=Effect(rule.effect).rank,
            test=test,
            steps=steps,
            obligations=tuple((o.id, o.text) for o in rule.obligations),
            records=tuple(books[b] for b in rule.records),
            reason=Reason(
                rule=rule.id,
                effect=rule.effect,
                clause=rule.clause,
                source=rule.source or self.pack.source,
                quote=rule.quote,
                message=rule.message,
                adopted_from=adopted_label(self.pack) if rule.adopted else "",
            ),
            axes=frozenset(axes),
        )

    def _compile_condition(self, cond: Condition, axes: set[str]) -> Predicate:
        tests: list[Predicate] = []
        if cond.all is not None:
            subs = [self._compile_condition(c, axes) for c in cond.all]
            tests.append(lambda r: all(t(r) for t in subs))
        if cond.any is not None:
            alts = [self._compile_condition(c, axes) for c in cond.any]
            tests.append(lambda r: any(t(r) for t in alts))
        if cond.not_ is not None:
            inner = self._compile_condition(cond.not_, axes)
            tests.append(lambda r: not inner(r))
        if cond.classification is not None:
            tests.append(self._compile_classification(cond, axes))
        if cond.context is not None:
            expected = tuple(cond.context.items())
            tests.append(lambda r: all(r.context.get(k, False) == v for k, v in expected))
        if cond.actor_role is not None:
            wanted = frozenset(cond.actor_role)
            tests.append(lambda r: not wanted.isdisjoint(r.roles))
        if cond.resource_kind is not None:
            kinds = frozenset(cond.resource_kind)
            tests.append(lambda r: r.resource_kind in kinds)
        if cond.resource is not None:
            attrs = tuple(cond.resource.items())
            tests.append(lambda r: all(r.resource.get(k) == v for k, v in attrs))
        if len(tests) == 1:
            return tests[0]
        return lambda r: all(t(r) for t in tests)

    def _compile_classification(self, cond: Condition, axes: set[str]) -> Predicate:
        test = cond.classification
        assert test is not None
        table = self.names.levels[test.axis]
        low = table[test.min] if test.min is not None else 0
        high = table[test.max] if test.max is not None else len(table)
        allowed = frozenset(table[v] for v in test.in_) if test.in_ is not None else None
        axis = test.axis
        axes.add(axis)

        def check(r: Request) -> bool:
            rank = r.levels.get(axis)
            if rank is None or not low <= rank <= high:
                return False
            return allowed is None or rank in allowed

        return check

    def _compile_constraints(self) -> dict[str, tuple[_CompiledConstraint, ...]]:
        """Per action: (constraint, applies only when approvals are needed, its condition)."""
        result: dict[str, list[_CompiledConstraint]] = {a: [] for a in self._actions}
        for sep in self.pack.separation_of_duties:
            test = None if sep.when is None else self._compile_condition(sep.when, set())
            constraint = Constraint(
                id=sep.id,
                kind=sep.kind,
                override=sep.override,
                minimum_persons=sep.minimum_persons,
                reason=Reason(
                    rule=sep.id,
                    effect=CONSTRAINT,
                    clause=sep.clause,
                    source=sep.source or self.pack.source,
                    quote=sep.quote,
                    message=sep.message,
                ),
            )
            if "*" not in sep.actions:
                for action in sep.actions:
                    result[action].append((constraint, False, test))
            elif sep.kind == "applicant_not_approver":
                # A blanket constraint binds every approval route (applicant ≠ approver).
                for items in result.values():
                    items.append((constraint, True, test))
        return {a: tuple(items) for a, items in result.items()}

    # --- requests ----------------------------------------------------------------------
    def parse(self, data: Mapping[str, Any]) -> Request:
        """Resolve a JSON request (names by id or Japanese title) into a `Request`."""
        if not isinstance(data, Mapping):
            raise RequestError("request must be a JSON object")
        action = data.get("action")
        if not isinstance(action, str) or not action:
            raise RequestError("request has no 'action'")
        if action not in self._actions:
            raise RequestError(f"unknown action '{action}'")
        actor = _mapping(data.get("actor"), "actor")
        resource = _mapping(data.get("resource"), "resource")
        context = _mapping(data.get("context"), "context")
        raw_roles = actor.get("roles", [])
        if isinstance(raw_roles, str) or not isinstance(raw_roles, list):
            raise RequestError("actor.roles must be a list of role ids or titles")
        roles = set()
        for name in raw_roles:
            role = self.names.roles.get(name) if isinstance(name, str) else None
            if role is None:
                raise RequestError(f"unknown role '{name}' in pack {self.pack.id}")
            roles.add(role)
        levels = self._levels(_mapping(resource.get("classification"), "resource.classification"))
        for key, value in context.items():
            if key in CONTEXT_FLAGS and not isinstance(value, bool):
                raise RequestError(f"context.{key} must be true or false")
        kind = resource.get("kind")
        if kind is not None and not isinstance(kind, str):
            raise RequestError("resource.kind must be a string")
        zone = resource.get("zone")
        if zone is not None and self.names.zones:
            zone_id = self.names.zones.get(zone) if isinstance(zone, str) else None
            if zone_id is None:
                raise RequestError(f"unknown network zone '{zone}' in pack {self.pack.id}")
            resource = {**resource, "zone": zone_id}
        actor_id = actor.get("id")
        return Request(
            action=action,
            roles=frozenset(roles),
            levels=levels,
            context=context,
            resource_kind=kind,
            resource=resource,
            actor_id=str(actor_id) if actor_id is not None else None,
        )

    def _levels(self, classification: Mapping[str, Any]) -> dict[str, int]:
        levels: dict[str, int] = {}
        for axis_name, level_name in classification.items():
            axis = self.names.axes.get(axis_name)
            if axis is None:
                raise RequestError(f"unknown classification axis '{axis_name}'")
            rank = self.names.levels[axis].get(str(level_name).replace(" ", ""))
            if rank is None:
                raise RequestError(f"unknown level '{level_name}' of axis '{axis_name}'")
            levels[axis] = rank
        return levels

    def decide(self, request: Request | Mapping[str, Any]) -> Decision:
        """Decide one request (a `Request` or its JSON form)."""
        req = request if isinstance(request, Request) else self.parse(request)
        rank = 0
        matched: list[_CompiledRule] = []
        for rule in self._rules.get(req.action, ()):
            if rule.test is None or rule.test(req):
                matched.append(rule)
                rank = max(rank, rule.rank)
        if not matched:
            return self._undetermined_decision(req)
        effect = _EFFECTS[rank]
        steps: list[Step] = []
        obligations: dict[str, tuple[str, str]] = {}
        records: dict[str, tuple[str, str, tuple[str, ...]]] = {}
        for rule in matched:
            if effect == Effect.APPROVAL_REQUIRED:
                steps.extend(s for s in rule.steps if s not in steps)
            for ob in rule.obligations:
                obligations.setdefault(ob[0], ob)
            for book in rule.records:
                records.setdefault(book[0], book)
        constraints = tuple(
            c
            for c, only_approvals, test in self._constraints[req.action]
            if (effect == Effect.APPROVAL_REQUIRED or not only_approvals)
            and (test is None or test(req))
        )
        return Decision(
            effect=effect,
            approvals=tuple(steps),
            obligations=tuple(obligations.values()),
            records=tuple(records.values()),
            reasons=tuple(rule.reason for rule in matched),
            constraints=constraints,
            pack=self._pack_ref,
        )

    def _undetermined_decision(self, req: Request) -> Decision:
        reasons = [self._undetermined]
        missing = sorted(
            {a for rule in self._rules.get(req.action, ()) for a in rule.axes} - set(req.levels)
        )
        if missing:
            titles = [a.title for a in self.pack.classification.axes if a.id in missing]
            reasons.append(
                Reason(
                    rule="missing-classification",
                    effect=Effect.UNDETERMINED,
                    clause=self._undetermined.clause,
                    source=self._undetermined.source,
                    quote=self._undetermined.quote,
                    message=f"この操作の規定は分類（{'・'.join(titles)}）によって異なります。"
                    "資産の分類を指定してください。",
                )
            )
        return Decision(
            effect=Effect.UNDETERMINED,
            approvals=(),
            obligations=(),
            records=(),
            reasons=tuple(reasons),
            constraints=(),
            pack=self._pack_ref,
        )

    def regulated_actions(self) -> set[str]:
        """Actions the pack has at least one rule for."""
        return set(self._rules)


_EFFECTS = {effect.rank: effect for effect in Effect}


def _mapping(value: Any, name: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RequestError(f"{name} must be a JSON object")
    return value
