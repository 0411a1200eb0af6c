"""Decisions as typed values: effects and modes, the pack reference, and the stored round trip.

The applications store `Decision.to_json()` beside a request and read it back with
`Decision.from_json`; every decision the shipped packs' cases produce must survive that.
"""

from __future__ import annotations

import json
from functools import cache

import pytest

from kitei.policy import ApprovalMode, Decision, Effect, Engine, PackRef, load_pack
from kitei.policy.loader import load_cases, shipped_pack_ids


@cache
def _engine(pack_id: str) -> Engine:
    return Engine(load_pack(pack_id))


def _decisions() -> list[tuple[str, Decision]]:
    return [
        (f"{pid}: {case.name}", _engine(pid).decide(case.request))
        for pid in shipped_pack_ids()
        for case in load_cases(pid)[1].cases
    ]


@pytest.mark.parametrize(("name", "decision"), _decisions(), ids=lambda v: str(v)[:60])
def test_every_case_decision_survives_storing(name: str, decision: Decision) -> None:
    stored = json.loads(json.dumps(decision.to_json()))  # as a JSON column gives it back
    read = Decision.from_json(stored)
    assert read == decision, name
    assert read.to_json() == stored
    assert isinstance(read.effect, Effect)
    assert all(isinstance(step.mode, ApprovalMode) for step in read.approvals)


def test_the_pack_reference_is_named_not_positional() -> None:
    loaded = load_pack("mito-city-council")
    decision = Engine(loaded).decide({"action": "asset.take_out"})
    assert decision.pack == PackRef(
        id="mito-city-council", version=loaded.pack.version, digest=loaded.digest
    )
    assert decision.to_json()["pack"] == {
        "id": "mito-city-council",
        "version": loaded.pack.version,
        "digest": loaded.digest,
    }
    assert decision.pack.digest.startswith("sha256:")


def test_constraints_keep_their_reason_through_storing() -> None:
    engine = _engine("mito-city-council")
    decision = next(d for _name, d in _decisions() if d.constraints and d.pack.id == engine.pack.id)
    read = Decision.from_json(decision.to_json())
    constraint = read.constraints[0]
    assert constraint == decision.constraints[0]
    assert constraint.reason.effect == "constraint"
    assert (constraint.clause, constraint.message) == (
        constraint.reason.clause,
        constraint.reason.message,
    )
    assert read.constraint(constraint.kind) == constraint
    assert read.constraint("no_such_kind") is None


@pytest.mark.parametrize(
    "data",
    [{}, {"effect": "maybe", "pack": {}}, {"effect": "permit"}, {"effect": "permit", "pack": 3}],
)
def test_what_is_not_a_stored_decision_is_a_value_error(data: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"stored decision|is not a valid Effect"):
        Decision.from_json(data)


def test_effects_rank_and_read_in_japanese() -> None:
    ranked = sorted(Effect, key=lambda e: e.rank)
    assert ranked == [
        Effect.UNDETERMINED,
        Effect.PERMIT,
        Effect.APPROVAL_REQUIRED,
        Effect.FORBID,
    ]
    assert [e.label for e in ranked] == [
        "判断できません（規程に定めがありません）",
        "許可",
        "承認が必要",
        "禁止",
    ]
    assert Effect("forbid") is Effect.FORBID
    assert Effect.FORBID == "forbid"
    assert [m.label for m in ApprovalMode] == ["全員の承認", "いずれか1名の承認"]
