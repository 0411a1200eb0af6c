"""The engine: effects, precedence, accumulation, names, citations, bad requests."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kitei.policy import Engine, RequestError, load_pack


def _req(action: str, level: str | None = None, **context: bool) -> dict[str, Any]:
    resource: dict[str, Any] = {"kind": "asset"}
    if level is not None:
        resource["classification"] = {"機密性": level}
    return {
        "action": action,
        "actor": {"roles": ["議員及び職員"]},
        "resource": resource,
        "context": context,
    }


def test_approval_route_and_citation(sample_engine: Engine) -> None:
    decision = sample_engine.decide(_req("asset.take_out", "1"))
    assert decision.effect == "approval_required"
    assert [(s.mode, s.roles) for s in decision.approvals] == [
        ("all_of", (("information_security_manager", "情報セキュリティ管理者"),))
    ]
    (reason,) = decision.reasons
    assert (reason.rule, reason.clause, reason.source) == (
        "take-out",
        "6-1(1)ウ(イ)",
        "002_ecf5b63335077659.txt",
    )
    assert reason.quote
    assert reason.message
    assert decision.pack.id == "sample"
    assert decision.pack.digest.startswith("sha256:")


def test_classification_threshold_is_inclusive(sample_engine: Engine) -> None:
    assert sample_engine.decide(_req("asset.transport", "1")).effect == "undetermined"
    assert sample_engine.decide(_req("asset.transport", "2")).effect == "approval_required"
    assert sample_engine.decide(_req("asset.transport", "3A")).effect == "approval_required"


def test_levels_and_axes_by_id_or_title(sample_engine: Engine) -> None:
    by_title = sample_engine.decide(_req("asset.publish_sns", "機密性2"))
    by_id = sample_engine.decide(
        {"action": "asset.publish_sns", "resource": {"classification": {"confidentiality": "2"}}}
    )
    assert by_title.effect == by_id.effect == "forbid"


def test_forbid_outranks_and_drops_approvals(sample_engine: Engine) -> None:
    decision = sample_engine.decide(_req("asset.publish_sns", "3A"))
    assert decision.effect == "forbid"
    assert decision.approvals == ()
    assert decision.reasons[0].clause == "7-1(22)イ"


def test_context_flag_switches_route(sample_engine: Engine) -> None:
    normal = sample_engine.decide(_req("exception.request", emergency=False))
    urgent = sample_engine.decide(_req("exception.request", emergency=True))
    assert normal.effect == "approval_required"
    assert [r for s in normal.approvals for r, _ in s.roles] == ["ciso"]
    assert urgent.effect == "permit"
    assert urgent.obligations == (
        ("report-after", "速やかに最高情報セキュリティ責任者に報告すること"),
    )


def test_missing_flag_counts_as_false(sample_engine: Engine) -> None:
    decision = sample_engine.decide({"action": "exception.request"})
    assert decision.effect == "approval_required"


def test_undetermined_cites_the_pack_and_never_permits(sample_engine: Engine) -> None:
    decision = sample_engine.decide(_req("device.install_software"))
    assert decision.effect == "undetermined"
    assert decision.approvals == ()
    assert decision.obligations == ()
    assert decision.reasons[0].clause == "1"


def test_missing_classification_is_explained(sample_engine: Engine) -> None:
    decision = sample_engine.decide(_req("asset.transport"))
    assert decision.effect == "undetermined"
    assert any("機密性" in r.message for r in decision.reasons)


def test_separation_of_duties_rides_on_approvals(sample_engine: Engine) -> None:
    needs = sample_engine.decide(_req("asset.take_out", "2"))
    assert [(c.id, c.override) for c in needs.constraints] == [
        ("applicant-approver", "with_reason")
    ]
    assert sample_engine.decide(_req("exception.request", emergency=True)).constraints == ()


def test_decision_json_shape(sample_engine: Engine) -> None:
    data = sample_engine.decide(_req("asset.transport", "2")).to_json()
    assert set(data) == {
        "effect",
        "approvals",
        "obligations",
        "records",
        "reasons",
        "constraints",
        "pack",
    }
    assert data["approvals"] == [
        {
            "mode": "all_of",
            "roles": [{"id": "information_security_manager", "title": "情報セキュリティ管理者"}],
        }
    ]
    assert data["obligations"] == [{"id": "locked-case", "text": "鍵付きのケース等に格納すること"}]
    assert set(data["reasons"][0]) == {"rule", "effect", "clause", "source", "quote", "message"}
    assert set(data["pack"]) == {"id", "version", "digest"}


@pytest.mark.parametrize(
    ("request_data", "message"),
    [
        ({"action": "asset.fly"}, "unknown action 'asset.fly'"),
        ({}, "request has no 'action'"),
        ({"action": "asset.take_out", "actor": {"roles": ["市長"]}}, "unknown role '市長'"),
        ({"action": "asset.take_out", "actor": {"roles": "ciso"}}, "actor.roles must be a list"),
        (
            {"action": "asset.take_out", "resource": {"classification": {"色": "1"}}},
            "unknown classification axis '色'",
        ),
        (
            {"action": "asset.take_out", "resource": {"classification": {"機密性": "3Z"}}},
            "unknown level '3Z' of axis '機密性'",
        ),
        (
            {"action": "asset.take_out", "context": {"emergency": "yes"}},
            "context.emergency must be true or false",
        ),
        ({"action": "asset.take_out", "resource": []}, "resource must be a JSON object"),
    ],
)
def test_bad_requests_are_named(
    sample_engine: Engine, request_data: dict[str, Any], message: str
) -> None:
    with pytest.raises(RequestError, match=message.replace("(", r"\(").replace(")", r"\)")):
        sample_engine.decide(request_data)


ACTIONS = [
    "asset.take_out",
    "asset.transport",
    "asset.publish_sns",
    "exception.request",
    "equipment.install_offsite",
    "device.install_software",
    "policy.update",
]


@given(
    action=st.sampled_from(ACTIONS),
    level=st.sampled_from([None, "1", "2", "3A"]),
    emergency=st.booleans(),
    roles=st.lists(st.sampled_from(["CISO", "情報セキュリティ管理者", "議員及び職員"]), max_size=3),
)
def test_every_decision_is_cited_and_consistent(
    sample_engine: Engine, action: str, level: str | None, emergency: bool, roles: list[str]
) -> None:
    request = _req(action, level, emergency=emergency)
    request["actor"]["roles"] = roles
    decision = sample_engine.decide(request)
    assert decision.reasons, "a decision with no citation is a bug"
    assert all(r.clause and r.quote and r.source and r.message for r in decision.reasons)
    assert (decision.effect == "approval_required") == bool(decision.approvals)
    if decision.effect == "undetermined":
        assert decision.obligations == ()
        assert decision.records == ()
    # Deciding is a pure function of the request.
    assert sample_engine.decide(request) == decision


def test_zones_resolve_by_title_and_unknown_zone_is_named() -> None:
    engine = Engine(load_pack("shinagawa-city"))
    by_id = {"action": "network.connect_external", "resource": {"zone": "individual_number"}}
    by_title = {
        "action": "network.connect_external",
        "resource": {"zone": "マイナンバー利用事務系"},
    }
    assert engine.decide(by_id).effect == engine.decide(by_title).effect == "forbid"
    with pytest.raises(RequestError, match="unknown network zone '庁外'"):
        engine.decide({"action": "network.connect_external", "resource": {"zone": "庁外"}})
