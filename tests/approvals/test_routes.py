"""Every approval route of mito-city-council's pack, end to end; toyama's 軽易なもの route.

The mito routes are read from the pack itself: for each rule that requires approval, a
request matching its condition is filed by staff and each approver of each step approves
in turn, until the request is approved. A rule added to the pack is exercised unchanged.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kitei.approvals.models import ApprovalStep, RequestState
from kitei.assets.services import register_asset
from kitei.core.models import ChangeRecord
from kitei.people.services import create_department
from kitei.policy import load_pack
from kitei.policy.model import Condition, Rule
from kitei.records.books import book_of
from kitei.records.services import record_entry
from kitei.systems.services import register_system
from tests.conftest import SETUP

from ..conftest import make_person
from .conftest import SYSTEM, actions_of, approve, file, give_roles, step_roles

pytestmark = pytest.mark.django_db

MITO = load_pack("mito-city-council").pack
ROUTED = [r for r in MITO.rules if r.approvals]
SCOPES = {r.id: r.scope for r in MITO.roles}


def _needs(
    cond: Condition | None, classification: dict[str, str], context: dict[str, bool]
) -> None:
    """Collect what a request must carry to meet the condition (positive parts only).

    `not` parts are met by a plain staff member filing with no extra resource attributes;
    `any` is met by its first alternative.
    """
    if cond is None:
        return
    if cond.classification is not None:
        test = cond.classification
        classification[test.axis] = test.min or (test.in_[0] if test.in_ else "1")
    if cond.context is not None:
        context.update(cond.context)
    for sub in cond.all or ():
        _needs(sub, classification, context)
    if cond.any:
        _needs(cond.any[0], classification, context)


def _approver(org: Any, role: str, dept: Any, system: Any, n: int) -> Any:
    """A person holding `role` for the request's 課 or system, as the pack scopes it."""
    person = make_person(org, f"approver{n}_{role}"[:30], f"承認者{n} {role}", department=dept)
    scope = SCOPES[role]
    if scope == "department":
        return give_roles(org, person, [role], department=dept)
    if scope == "system":
        return give_roles(org, person, [role], system=system)
    return give_roles(org, person, [role])


def _subject(org: Any, rule: Rule, dept: Any, system: Any) -> dict[str, Any]:
    """The asset and/or system a request under `rule` concerns, and its context."""
    classification: dict[str, str] = {}
    context: dict[str, bool] = {}
    _needs(rule.when, classification, context)
    roles = {r for step in rule.approvals for r in step.roles}
    subject: dict[str, Any] = {"context": context}
    if any(SCOPES[r] == "system" for r in roles) or rule.action.startswith("system."):
        subject["system"] = system
    if classification or rule.action.startswith("asset."):
        subject["asset"] = register_asset(
            org,
            actor=SETUP,
            name=f"{rule.id} の対象",
            department=dept,
            form="electronic",
            classification={"confidentiality": "1", "integrity": "1", "availability": "1"}
            | classification,
        )
    return subject


@pytest.mark.parametrize("rule", ROUTED, ids=[r.id for r in ROUTED])
def test_every_mito_route_end_to_end(mito: Any, somu: Any, suzuki: Any, rule: Rule) -> None:
    system = register_system(mito, actor=SETUP, name=SYSTEM, department=somu, zone="lgwan")
    request = file(mito, suzuki, rule.action, **_subject(mito, rule, somu, system))
    assert request.state == RequestState.PENDING, request.decision["reasons"]
    assert rule.id in [r["rule"] for r in request.decision["reasons"]]
    assert step_roles(request) == [(s.mode, list(s.roles)) for s in rule.approvals]
    assert request.pack_digest == mito.pack_digest
    people: dict[str, Any] = {}
    n = 0
    for position, step in enumerate(rule.approvals, start=1):
        for i, role in enumerate(step.roles):
            assert request.state == RequestState.PENDING
            if role not in people:
                n += 1
                people[role] = _approver(mito, role, somu, system, n)
            request = approve(request, people[role], comment=f"{role} 承認")
            done = ApprovalStep.objects.get(request=request, position=position).completed_at
            last_of_step = step.mode == "any_of" or i == len(step.roles) - 1
            assert (done is not None) == last_of_step
            if step.mode == "any_of":
                break
    assert request.state == RequestState.APPROVED
    assert request.decided_at is not None
    verdicts = sum(1 if s.mode == "any_of" else len(s.roles) for s in rule.approvals)
    assert actions_of(mito, request) == ["file_request"] + ["approve_request"] * verdicts
    _record_what_the_decision_names(mito, suzuki, request)


def _record_what_the_decision_names(org: Any, person: Any, request: Any) -> None:
    """The route ends in the record books the decision names (none when the pack names none).

    A take-out also gets kitei's own return tracking (002 requires no 持出記録).
    """
    books = [r["book"] for r in request.decision["records"]]
    if request.action == "asset.take_out":
        books.append("x.take-out")
    for book_id in books:
        book = book_of(org, book_id)
        entry = record_entry(
            org,
            actor=person.user,
            book=book.id,
            recorded_by=person,
            request=request,
            fields={c.id: f"{c.title}の記録" for c in book.fields},
            due_on=date(2026, 12, 1) if book.purpose == "take_out" else None,
        )
        assert entry.request_id == request.pk
        assert ChangeRecord.objects.filter(object_id=str(entry.pk), action="record_entry").exists()


def test_the_mito_pack_has_routes_of_every_shape() -> None:
    """The parametrised test above covers single, all-of-two and two-step routes."""
    shapes = {(len(r.approvals), max(len(s.roles) for s in r.approvals)) for r in ROUTED}
    assert {(1, 1), (1, 2), (2, 1)} <= shapes
    assert len(ROUTED) >= 20


@pytest.fixture
def toyama_cast(toyama: Any) -> dict[str, Any]:
    office = create_department(toyama, actor=SETUP, name="事務局")
    return {
        "system": register_system(toyama, actor=SETUP, name="組合業務システム", department=office),
        "yamada": make_person(toyama, "yamada", "山田 三郎", roles=("union_members",)),
        "assistant": make_person(
            toyama, "hosa", "補佐 四郎", roles=("assistant_chief_information_manager",)
        ),
        "chief": make_person(toyama, "tokatsu", "統括 五郎", roles=("chief_information_manager",)),
    }


def test_toyama_minor_system_change_goes_to_the_assistant(
    toyama: Any, toyama_cast: dict[str, Any]
) -> None:
    cast = toyama_cast
    request = file(
        toyama, cast["yamada"], "system.change", system=cast["system"], context={"minor": True}
    )
    assert step_roles(request) == [("all_of", ["assistant_chief_information_manager"])]
    assert request.decision["reasons"][0]["clause"] == "1(2)ウ"
    with pytest.raises(Exception, match="権限がありません"):
        approve(request, cast["chief"])  # 統括情報管理者 is not the route for 軽易なもの
    request = approve(request, cast["assistant"], comment="軽易な変更として承認")
    assert request.state == RequestState.APPROVED
    assert ChangeRecord.objects.filter(organization=toyama, action="refused_approval").count() == 1


def test_toyama_other_system_changes_go_to_the_chief(
    toyama: Any, toyama_cast: dict[str, Any]
) -> None:
    cast = toyama_cast
    request = file(toyama, cast["yamada"], "system.change", system=cast["system"])
    assert step_roles(request) == [("all_of", ["chief_information_manager"])]
    request = approve(request, cast["chief"])
    assert request.state == RequestState.APPROVED


def test_toyama_any_of_route_needs_one_of_the_roles(
    toyama: Any, toyama_cast: dict[str, Any]
) -> None:
    """8(1): 統括情報管理者 or its 補佐 suspends a violator's rights; one approval suffices."""
    cast = toyama_cast
    request = file(toyama, cast["yamada"], "account.suspend_violator")
    assert step_roles(request) == [
        ("any_of", ["chief_information_manager", "assistant_chief_information_manager"])
    ]
    request = approve(request, cast["assistant"])
    assert request.state == RequestState.APPROVED
    with pytest.raises(Exception, match="承認済み"):
        approve(request, cast["chief"])
