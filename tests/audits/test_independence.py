"""§5.4 acceptance 1 and 8: auditor independence on the server, the stricter rule winning."""

from __future__ import annotations

from typing import Any

import pytest

from kitei.audits import services
from kitei.audits.models import Appointment
from kitei.core import access
from kitei.core.models import ChangeRecord
from kitei.people.services import assign_role
from kitei.systems.services import register_system

from ..conftest import SETUP, make_person
from .conftest import programme

pytestmark = pytest.mark.django_db


def test_a_member_of_the_audited_department_is_refused_citing_10_1_2_a(
    mito: Any, somu_audit: Any, suzuki: Any, tanaka: Any
) -> None:
    with pytest.raises(services.NotIndependentError) as refused:
        services.appoint_auditor(somu_audit, suzuki, actor=tanaka.user, reason="人手不足")
    message = refused.value.messages[0]
    assert "10-1(2)ア" in message
    assert "被監査部門「総務課」の所属" in message
    assert not Appointment.objects.exists()
    assert ChangeRecord.objects.filter(action="refused_auditor_appointment").count() == 1


def test_a_role_scoped_to_the_audited_department_or_system_is_not_independent(
    mito: Any, somu: Any, seisaku: Any, tanaka: Any
) -> None:
    # Belongs to 情報政策課 but is 情報セキュリティ管理者 for 総務課 (a department-scoped role).
    holder = make_person(mito, "ono", "小野 兼務", department=seisaku)
    assign_role(
        mito, actor=SETUP, person=holder, role_id="information_security_manager", department=somu
    )
    # The register names this one as manager of the audited system.
    keeper = make_person(mito, "mori", "森 管理", department=seisaku)
    council = register_system(
        mito, actor=SETUP, name="議会情報システム", department=seisaku, manager=keeper
    )
    audit = services.plan_audit(
        programme(mito),
        actor=tanaka.user,
        title="監査",
        kind="internal",
        departments=[somu],
        systems=[council],
    )
    with pytest.raises(services.NotIndependentError, match="情報セキュリティ管理者」（総務課）"):
        services.appoint_auditor(audit, holder, actor=tanaka.user)
    with pytest.raises(services.NotIndependentError, match="議会情報システム"):
        services.appoint_auditor(audit, keeper, actor=tanaka.user)


def test_the_auditee_needs_a_reason_under_2_6_i_and_then_is_appointed(
    mito: Any, somu: Any, kimura: Any, tanaka: Any
) -> None:
    audit = services.plan_audit(
        programme(mito),
        actor=tanaka.user,
        title="監査",
        kind="internal",
        departments=[somu],
        auditees=[kimura],
    )
    with pytest.raises(services.NotIndependentError, match=r"2\(6\)イ"):
        services.appoint_auditor(audit, kimura, actor=tanaka.user)
    appointment = services.appoint_auditor(
        audit, kimura, actor=tanaka.user, reason="他に専門知識を有する者がいない"
    )
    assert appointment.override_reason == "他に専門知識を有する者がいない"
    outcomes = {c["clause"]: c["outcome"] for c in appointment.verdict["checks"]}
    assert outcomes == {"2(6)イ": "overridden", "10-1(2)ア": "ok"}


def test_an_auditee_of_the_audited_department_stays_refused_with_a_reason(
    mito: Any, somu: Any, suzuki: Any, tanaka: Any
) -> None:
    audit = services.plan_audit(
        programme(mito),
        actor=tanaka.user,
        title="監査",
        kind="internal",
        departments=[somu],
        auditees=[suzuki],
    )
    with pytest.raises(services.NotIndependentError) as refused:
        services.appoint_auditor(audit, suzuki, actor=tanaka.user, reason="止むを得ない")
    outcomes = {c.clause: c.outcome for c in refused.value.verdict.checks}
    assert outcomes == {"2(6)イ": "overridden", "10-1(2)ア": "blocked"}


def test_the_independent_lead_is_appointed_and_the_verdict_kept(
    mito: Any, somu_audit: Any, tanaka: Any
) -> None:
    appointment = services.appoint_auditor(
        somu_audit, tanaka, actor=tanaka.user, is_lead=True, competence="CISA"
    )
    assert appointment.verdict["allowed"] is True
    assert ChangeRecord.objects.filter(action="appoint_auditor").count() == 1


def test_toyama_has_no_independence_clause_so_the_cio_is_appointed_with_a_warning(
    toyama: Any, rijicho: Any
) -> None:
    from kitei.people.services import create_department  # noqa: PLC0415

    office = create_department(toyama, actor=SETUP, name="組合事務局")
    audit = services.plan_audit(
        programme(toyama),
        actor=rijicho.user,
        title="定期監査 9(1)",
        kind="internal",
        departments=[office],
    )
    appointment = services.appoint_auditor(audit, rijicho, actor=rijicho.user)
    assert [c["message"] for c in appointment.verdict["checks"]] == ["独立性の定めなし"]
    assert [c["outcome"] for c in appointment.verdict["checks"]] == ["warning"]


def test_only_audits_manage_appoints(mito: Any, somu_audit: Any, kimura: Any, tanaka: Any) -> None:
    with pytest.raises(access.Refusal):
        services.appoint_auditor(somu_audit, tanaka, actor=kimura.user)
