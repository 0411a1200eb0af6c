"""Fidelity to the seeds (reference/pack-fidelity.md E1–E8, issue 9): what cases.yaml cannot say.

The decisions themselves are cases of each pack's cases.yaml; here are the properties of the
packs that are not decisions: whom a constraint binds, a duty's cadence, what a quote shows,
and which kitei permissions a seed gives to nobody.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from kitei.policy import Engine, PackError, load_pack
from kitei.policy.loader import shipped_pack_ids
from kitei.policy.permissions import PERMISSIONS
from kitei.policy.report import gaps

MITO = "mito-city-council"
TOYAMA = "toyama-kankoji-kumiai"
BASIC_POLICY_ONLY = ("gamagori-city", "miyagi-jichi-center", "shinagawa-city")


@cache
def _engine(pack_id: str) -> Engine:
    return Engine(load_pack(pack_id))


def _constraints(pack_id: str, action: str, roles: list[str]) -> list[str]:
    decision = _engine(pack_id).decide(
        {"action": action, "actor": {"roles": roles}, "resource": {"kind": "system"}}
    )
    return [c.id for c in decision.constraints]


def test_two_person_work_binds_only_the_persons_7_1_4_u_names() -> None:
    # E3: 「情報システム管理者及び情報システム担当者並びに…委託事業者が…2名以上で作業し」
    assert _constraints(MITO, "system.change", ["情報セキュリティ責任者"]) == []
    for role in ("情報システム管理者", "情報システム担当者", "委託事業者"):
        assert _constraints(MITO, "system.change", [role]) == ["two-person-system-change"]
    # 7-3(4)イ(エ) 「開発したシステムについて受け入れテストを行う場合」 only.
    assert _constraints(MITO, "x.system.acceptance_test", ["情報システム管理者"]) == [
        "independent-acceptance-tests"
    ]


def test_a_separation_condition_names_defined_roles(tmp_path: Path) -> None:
    source = load_pack(MITO).path.read_text(encoding="utf-8")
    broken = source.replace(
        "      actor_role: [information_system_manager, information_system_operator, "
        "information_system_manager_deputy, contractor]",
        "      actor_role: [information_system_manager, night_watch]",
        1,
    )
    assert broken != source
    target = tmp_path / "pack.yaml"
    target.write_text(broken, encoding="utf-8")
    with pytest.raises(PackError) as info:
        load_pack(target)
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if "night_watch" in text)
    (error,) = info.value.errors
    assert error.startswith(f"{target}:{line}: undefined role 'night_watch' (one of: ciso, ")


def test_toyama_drills_follow_the_boards_plan_not_an_invented_period() -> None:
    # E6: 「本組合理事会が定めた計画に基づき、…訓練を行わせなければならない」 — no 定期的.
    pack = load_pack(TOYAMA).pack
    drills = next(d for d in pack.periodic_duties if d.id == "emergency-drills")
    assert drills.frequency == "per_plan"
    assert "定期" not in drills.quote
    assert "emergency-drills" in {g["id"] for g in gaps(pack).unspecified}


@pytest.mark.parametrize("pack_id", shipped_pack_ids())
def test_an_approval_quote_shows_who_approves(pack_id: str) -> None:
    """E4, E7: the quote of a rule needing approval contains the words naming its approver."""
    pack = load_pack(pack_id).pack
    names = {r.id: (r.title, *r.aliases) for r in pack.roles}
    silent = [
        rule.id
        for rule in pack.rules
        if rule.effect == "approval_required"
        and not any(
            name.replace(" ", "") in rule.quote.replace(" ", "")
            for step in rule.approvals
            for role in step.roles
            for name in names[role]
        )
    ]
    assert silent == []


@pytest.mark.parametrize("pack_id", shipped_pack_ids())
def test_every_permission_is_granted_or_its_silence_noted(pack_id: str) -> None:
    """Issue 9: a pack grants each permission its seed gives, and notes the ones it gives nobody."""
    pack = load_pack(pack_id).pack
    granted = {g.permission for role in pack.roles for g in role.grants}
    note = next((n for n in pack.notes if n.id == "kitei-permissions"), None)
    assert note is not None
    for info in PERMISSIONS:
        if info.base != "member" and info.id not in granted:
            assert info.id in note.decision, f"{pack_id}: {info.id} neither granted nor noted"


@pytest.mark.parametrize("pack_id", BASIC_POLICY_ONLY)
def test_a_basic_policy_grants_nothing_it_does_not_give(pack_id: str) -> None:
    # 基本方針 only: no clause names a role that keeps a register, reads the audit trail or
    # receives an exception's report, so kitei's own rules (組織管理者) apply unchanged.
    assert [(r.id, g.permission) for r in load_pack(pack_id).pack.roles for g in r.grants] == []
