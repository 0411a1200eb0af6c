"""Runs a pack's cases.yaml: each case's request through the engine, compared to `expect`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kitei.policy.decision import Decision
from kitei.policy.engine import Engine, RequestError
from kitei.policy.model import Case


@dataclass(frozen=True, kw_only=True)
class CaseResult:
    """The outcome of one case: passed, or the differences found."""

    name: str
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def check_case(engine: Engine, case: Case) -> CaseResult:
    """Decide the case's request and list every way the decision differs from `expect`."""
    try:
        decision = engine.decide(case.request)
    except RequestError as exc:
        return CaseResult(name=case.name, problems=(f"bad request: {exc}",))
    return CaseResult(name=case.name, problems=tuple(_differences(decision, case)))


def _differences(decision: Decision, case: Case) -> list[str]:
    expect = case.expect
    problems = []
    if decision.effect != expect.effect:
        problems.append(f"effect {decision.effect}, expected {expect.effect}")
    if expect.approvals is not None:
        got = {(s.mode, frozenset(r for r, _ in s.roles)) for s in decision.approvals}
        want = {(s.mode, frozenset(s.roles)) for s in expect.approvals}
        if got != want:
            problems.append(f"approvals {_steps(got)}, expected {_steps(want)}")
    if expect.clause is not None:
        clauses = {r.clause for r in decision.reasons}
        wanted = (expect.clause,) if isinstance(expect.clause, str) else expect.clause
        missing = [c for c in wanted if c not in clauses]
        if missing:
            problems.append(f"clauses {sorted(clauses)} lack {missing}")
    if expect.obligations is not None:
        have = {i for i, _ in decision.obligations}
        missing = [o for o in expect.obligations if o not in have]
        if missing:
            problems.append(f"obligations {sorted(have)} lack {missing}")
    if expect.records is not None:
        books = {b for b, _, _ in decision.records}
        missing = [b for b in expect.records if b not in books]
        if missing:
            problems.append(f"records {sorted(books)} lack {missing}")
    if expect.constraints is not None:
        got_ids = sorted(c.id for c in decision.constraints)
        if got_ids != sorted(expect.constraints):
            problems.append(f"constraints {got_ids}, expected {sorted(expect.constraints)}")
    return problems


def _steps(steps: Iterable[tuple[str, frozenset[str]]]) -> str:
    return "[" + "; ".join(f"{m}({','.join(sorted(r))})" for m, r in sorted(steps, key=str)) + "]"
