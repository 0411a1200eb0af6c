"""Runs a pack's cases.yaml: each case's request through the engine, compared to `expect`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kitei.policy.decision import Decision
from kitei.policy.engine import Engine, RequestError
from kitei.policy.loader import PackError, read_yaml
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
    return CaseResult(name=case.name, problems=tuple(_differences(decision, case, engine)))


def _differences(decision: Decision, case: Case, engine: Engine) -> list[str]:
    expect = case.expect
    role = engine.names.roles  # expectations name roles by id or title, like requests
    problems = []
    if decision.effect != expect.effect:
        problems.append(f"effect {decision.effect}, expected {expect.effect}")
    if expect.approvals is not None:
        got = {(s.mode, frozenset(r for r, _ in s.roles)) for s in decision.approvals}
        want = {(s.mode, frozenset(role.get(r, r) for r in s.roles)) for s in expect.approvals}
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


def cases_target(ref: str) -> tuple[str, str]:
    """(pack, cases) to run for `kitei policy test REF`.

    REF is a pack id, a pack folder, a pack file, or a cases file: then the pack is the
    pack.yaml beside it, else the pack its `pack:` key names.
    """
    path = Path(ref)
    if not path.is_file() or path.name == "pack.yaml":
        return ref, ref
    data = read_yaml(path)
    if not (isinstance(data, dict) and "cases" in data):
        return ref, ref
    beside = path.parent / "pack.yaml"
    if beside.is_file():
        return str(beside), ref
    named = data.get("pack")
    if isinstance(named, str):
        return named, ref
    raise PackError([f"{path}:1: a cases file names its pack (pack: <pack id>)"])
