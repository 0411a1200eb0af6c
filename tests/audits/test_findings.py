"""§5.4 acceptance 2 and 3: a finding goes to the 課's 情報セキュリティ管理者 (deputy if away),
its owner cannot close it, and it closes only when its corrective actions are verified."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kitei.audits import findings, services
from kitei.audits.choices import FindingState
from kitei.core import access
from kitei.corrective import services as corrective
from kitei.corrective.choices import ActionState
from kitei.people.services import assign_role

from ..conftest import PDF, SETUP, make_person, upload

pytestmark = pytest.mark.django_db

CLAUSE = "6-4(1)"


def _finding(audit: Any, actor: Any, department: Any, kind: str = "minor") -> Any:
    return findings.raise_finding(
        audit,
        actor=actor.user,
        kind=kind,
        title="パスワードを付箋で掲示",
        department=department,
        clause=CLAUSE,
        quote="パスワードを秘密にし",
    )


@pytest.fixture
def lead(somu_audit: Any, tanaka: Any) -> Any:
    services.appoint_auditor(somu_audit, tanaka, actor=tanaka.user, is_lead=True)
    services.start_audit(somu_audit, actor=tanaka.user)
    return tanaka


def test_the_finding_goes_to_the_current_manager_of_the_department(
    mito: Any, somu: Any, sato: Any, somu_audit: Any, lead: Any
) -> None:
    finding = _finding(somu_audit, lead, somu)
    assert finding.owner == sato
    assert finding.owner_role == "information_security_manager"
    deputy = make_person(mito, "kato", "加藤 代行", department=somu)
    today = timezone.localdate()
    assign_role(
        mito,
        actor=SETUP,
        person=deputy,
        role_id="information_security_manager",
        department=somu,
        deputy_for=sato,
        valid_from=today,
        valid_until=today + timedelta(days=7),
    )
    assert _finding(somu_audit, lead, somu).owner == deputy


def test_a_department_outside_the_audit_is_refused(
    mito: Any, somu: Any, sato: Any, somu_audit: Any, lead: Any
) -> None:
    from kitei.people.services import create_department  # noqa: PLC0415

    other = create_department(mito, actor=SETUP, name="議事課")
    with pytest.raises(ValidationError, match="監査の対象の課"):
        _finding(somu_audit, lead, other)


def test_closure_needs_verified_actions_and_never_the_owner(
    *, mito: Any, somu: Any, sato: Any, somu_audit: Any, lead: Any, evidence_dir: Path
) -> None:
    finding = _finding(somu_audit, lead, somu)
    with pytest.raises(ValidationError, match="確認されるまでクローズできません"):
        findings.close_finding(finding, actor=lead.user)
    with pytest.raises(access.Refusal):
        findings.submit_plan(
            finding, actor=lead.user, root_cause="", plan="撤去", actions=[("撤去", None)]
        )
    (action,) = findings.submit_plan(
        finding,
        actor=sato.user,
        root_cause="周知不足",
        plan="付箋を撤去し、課内で周知する",
        actions=[("付箋の撤去と周知", timezone.localdate() + timedelta(days=30))],
    )
    assert action.owner == sato
    assert action.source == finding
    assert list(action.verifiers.all()) == [lead]
    with pytest.raises(access.Refusal):  # the owner (sato) is not of the audit side
        findings.close_finding(finding, actor=sato.user)
    corrective.record_progress(action, actor=sato.user, note="付箋を撤去")
    with pytest.raises(ValidationError, match="確認済でない是正措置"):
        findings.close_finding(finding, actor=lead.user)
    corrective.attach_completion_evidence(
        action,
        actor=sato.user,
        upload=upload("周知文.pdf", PDF),
        evidence_date=timezone.localdate(),
    )
    corrective.report_done(action, actor=sato.user)
    with pytest.raises(access.Refusal):
        corrective.verify(action, actor=sato.user)
    corrective.verify(action, actor=lead.user, effectiveness="再訪問で掲示なし")
    action.refresh_from_db()
    assert action.state == ActionState.VERIFIED
    findings.close_finding(finding, actor=lead.user, note="是正を確認")
    finding.refresh_from_db()
    assert finding.state == FindingState.CLOSED


def test_an_observation_closes_without_actions_and_the_ciso_may_accept_a_risk(
    *, mito: Any, somu: Any, sato: Any, gicho: Any, somu_audit: Any, lead: Any
) -> None:
    observation = _finding(somu_audit, lead, somu, kind="observation")
    findings.close_finding(observation, actor=lead.user)
    major = _finding(somu_audit, lead, somu, kind="major")
    with pytest.raises(access.Refusal):
        findings.accept_risk(major, actor=lead.user, reason="費用対効果")
    with pytest.raises(ValidationError, match="理由"):
        findings.accept_risk(major, actor=gicho.user, reason=" ")
    findings.accept_risk(major, actor=gicho.user, reason="システム更改まで受容")
    major.refresh_from_db()
    assert major.state == FindingState.RISK_ACCEPTED
    assert major.resolution == "システム更改まで受容"


def test_copying_last_years_audit_carries_the_scope_and_resets_every_status(
    *, mito: Any, somu: Any, sato: Any, tanaka: Any, somu_audit: Any, lead: Any
) -> None:
    from .conftest import programme  # noqa: PLC0415

    _finding(somu_audit, lead, somu)
    next_year = programme(mito, SETUP, 2027)
    copy = services.copy_audit(somu_audit, next_year, actor=tanaka.user)
    assert copy.state == "planned"
    assert copy.number != somu_audit.number
    assert list(copy.departments.all()) == [somu]
    assert copy.criteria == somu_audit.criteria
    assert copy.methods == somu_audit.methods
    assert copy.starts_on.year == 2027
    assert not copy.appointments.exists()
    assert not copy.findings.exists()
    assert not copy.sealed


def test_horizontal_deployment_to_four_departments_and_an_answer_of_yes(
    *, mito: Any, somu: Any, sato: Any, gicho: Any, somu_audit: Any, lead: Any
) -> None:
    from kitei.audits import horizontal  # noqa: PLC0415
    from kitei.audits.models import Finding, HorizontalCheck  # noqa: PLC0415
    from kitei.people.services import create_department  # noqa: PLC0415

    origin = _finding(somu_audit, lead, somu)
    others, managers = [], []
    for n, name in enumerate(("議事課", "調査課", "政策課", "庶務課")):
        department = create_department(mito, actor=SETUP, name=name)
        managers.append(
            make_person(
                mito,
                f"mgr{n}",
                f"管理者 {n}",
                roles=("information_security_manager",),
                department=department,
            )
        )
        others.append(department)
    with pytest.raises(access.Refusal):
        horizontal.deploy(origin, others, actor=lead.user)
    checks = horizontal.deploy(origin, others, actor=gicho.user)
    assert len(checks) == 4
    assert [c.owner for c in checks] == managers
    with pytest.raises(ValidationError, match="課そのもの"):
        horizontal.deploy(origin, [somu], actor=gicho.user)
    with pytest.raises(access.Refusal):
        horizontal.answer(checks[0], actor=sato.user, found=True, note="x")
    linked = horizontal.answer(checks[0], actor=managers[0].user, found=True, note="同様の掲示あり")
    assert linked is not None
    assert linked.origin == origin
    assert linked.department == others[0]
    assert linked.owner == managers[0]
    assert (
        horizontal.answer(checks[1], actor=managers[1].user, found=False, note="掲示なし") is None
    )
    assert Finding.objects.filter(origin=origin).count() == 1
    assert HorizontalCheck.objects.get(pk=checks[0].pk).linked == linked
    with pytest.raises(ValidationError, match="すでに回答"):
        horizontal.answer(checks[0], actor=managers[0].user, found=False, note="x")
