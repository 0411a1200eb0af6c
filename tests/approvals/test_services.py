"""The approval services: filing by the pack's decision, who may decide, and every refusal.

A refusal changes nothing and leaves a `refused_approval` record in the audit trail.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kitei.approvals import services
from kitei.approvals.models import Approval, Request, RequestState
from kitei.core.models import ChangeRecord
from kitei.core.services import verify_audit_chain
from kitei.people.services import assign_role
from tests.conftest import SETUP

from ..conftest import make_org, make_person
from .conftest import actions_of, approve, file, reject, step_roles

pytestmark = pytest.mark.django_db


def _refusals(org: Any) -> list[dict[str, Any]]:
    import json  # noqa: PLC0415

    return [
        json.loads(r.after)
        for r in ChangeRecord.objects.filter(organization=org, action="refused_approval")
    ]


# --- filing --------------------------------------------------------------------------------


def test_filing_stores_the_decision_and_routes_to_the_manager_of_the_assets_department(
    mito: Any, suzuki: Any, sato: Any, roster: Any
) -> None:
    request = file(mito, suzuki, "asset.take_out", asset=roster, reason="委員会資料の作成")
    assert (request.state, request.effect) == (RequestState.PENDING, "approval_required")
    assert request.department == roster.department
    assert request.system == roster.system  # the asset's system, for system-scoped roles
    assert step_roles(request) == [("all_of", ["information_security_manager"])]
    assert request.request_data["resource"]["classification"]["confidentiality"] == "3B"
    assert request.request_data["actor"] == {"id": suzuki.pk, "roles": ["members_and_staff"]}
    assert request.confirmed_obligations == ["business-purpose-only"]
    assert request.decision["reasons"][0]["clause"] == "6-1(1)ウ(イ)"
    assert actions_of(mito, request) == ["file_request"]
    assert verify_audit_chain(mito).ok


def test_a_forbidden_action_is_not_filed_and_says_why(mito: Any, suzuki: Any, roster: Any) -> None:
    """3(1)ア: 機密性3 assets are not worked on with non-issued devices."""
    with pytest.raises(services.RequestForbidden) as caught:
        file(mito, suzuki, "device.use_non_designated", asset=roster)
    assert caught.value.decision.effect == "forbid"
    assert "3(1)ア" in caught.value.messages[0]
    assert isinstance(caught.value, ValidationError)
    assert not Request.objects.exists()
    assert not ChangeRecord.objects.filter(action="file_request").exists()


def test_every_obligation_must_be_confirmed(mito: Any, suzuki: Any, roster: Any) -> None:
    """3(2)ク(ア): 機密性2以上 transported in a locked case or encrypted."""
    with pytest.raises(services.ObligationsUnconfirmed, match="鍵付きのケース") as caught:
        services.file_request(
            mito,
            actor=suzuki.user,
            applicant=suzuki,
            action="asset.transport",
            asset=roster,
            reason="会議室へ",
            confirmed_obligations=["business-purpose-only"],
        )
    ids = [ob_id for ob_id, _ in caught.value.decision.obligations]
    assert "locked-case-or-encrypt" in ids
    assert not Request.objects.exists()


def test_a_permitted_action_needs_no_approval(mito: Any, suzuki: Any) -> None:
    request = file(mito, suzuki, "equipment.procure")
    assert (request.state, request.effect) == (RequestState.PERMITTED, "permit")
    assert request.decided_at is not None
    assert not request.steps.exists()
    request = services.complete_request(request, actor=SETUP)
    assert request.state == RequestState.COMPLETED


def test_bad_input_is_refused_in_japanese(mito: Any, suzuki: Any, roster: Any) -> None:
    cases = [
        ({"action": "asset.take_out", "reason": "  "}, "申請理由"),
        ({"action": "asset.fly", "reason": "x"}, "unknown action"),
        (
            {"action": "asset.take_out", "reason": "x", "context": {"urgent": True}},
            "状況「urgent」",
        ),
        ({"action": "asset.take_out", "reason": "x", "context": {"minor": "yes"}}, "true か false"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValidationError, match=message):
            services.file_request(mito, actor=SETUP, applicant=suzuki, asset=roster, **kwargs)
    assert not Request.objects.exists()


def test_a_system_scoped_route_needs_a_system(mito: Any, suzuki: Any) -> None:
    with pytest.raises(ValidationError, match="対象の情報システムを指定"):
        file(mito, suzuki, "device.install_software")
    assert not Request.objects.exists()


def test_another_organisations_asset_cannot_be_named(mito: Any, suzuki: Any) -> None:
    from kitei.assets.services import register_asset  # noqa: PLC0415
    from kitei.people.services import create_department  # noqa: PLC0415

    other = make_org("other", name="他の議会")
    asset = register_asset(
        other,
        actor=SETUP,
        name="他の資産",
        department=create_department(other, actor=SETUP, name="総務課"),
        form="paper",
        classification={"機密性": "1", "完全性": "1", "可用性": "1"},
    )
    with pytest.raises(ValidationError, match="情報資産がこの組織にありません"):
        file(mito, suzuki, "asset.take_out", asset=asset)


# --- gaps ----------------------------------------------------------------------------------


def test_an_undetermined_request_goes_to_the_policy_office(
    mito: Any, suzuki: Any, sato: Any, ito: Any, minutes: Any
) -> None:
    """The pack says nothing about transporting 機密性1: a gap for the administrators."""
    request = file(mito, suzuki, "asset.transport", asset=minutes)
    assert (request.state, request.effect) == (RequestState.GAP, "undetermined")
    assert step_roles(request) == [("any_of", ["@policy_office"])]
    with pytest.raises(PermissionDenied):
        approve(request, sato)  # 情報セキュリティ管理者 is not the policy office
    request = approve(request, ito, comment="鍵付きケースで運搬すること")
    assert request.state == RequestState.APPROVED
    assert actions_of(mito, request) == ["file_request", "refused_approval", "approve_request"]


def test_an_administrator_never_decides_their_own_gap(mito: Any, ito: Any, minutes: Any) -> None:
    request = file(mito, ito, "asset.transport", asset=minutes)
    with pytest.raises(PermissionDenied, match="申請者本人"):
        approve(request, ito, override_reason="他に管理者がいない")
    assert Request.objects.get(pk=request.pk).state == RequestState.GAP


# --- separation of duties (002 2(6)ア) ------------------------------------------------------


def test_the_applicant_cannot_approve_their_own_request(mito: Any, sato: Any, minutes: Any) -> None:
    request = file(mito, sato, "asset.take_out", asset=minutes)
    with pytest.raises(PermissionDenied, match=r"2\(6\)ア") as caught:
        approve(request, sato)
    assert "理由を記入" in str(caught.value)
    assert Request.objects.get(pk=request.pk).state == RequestState.PENDING
    assert not Approval.objects.exists()
    [refusal] = _refusals(mito)
    assert refusal["approver"] == sato.name
    assert "2(6)ア" in refusal["reason"]


def test_the_override_needs_a_reason_and_is_flagged_everywhere(
    mito: Any, sato: Any, minutes: Any
) -> None:
    request = file(mito, sato, "asset.take_out", asset=minutes)
    reason = "総務課長（情報セキュリティ管理者）が一人で、出張中に至急の持ち出しが必要なため"
    request = approve(request, sato, override_reason=reason)
    assert request.state == RequestState.APPROVED
    assert request.overridden is True
    assert Request.objects.get(pk=request.pk).overridden is True
    approval = Approval.objects.get(step__request=request)
    assert approval.override_reason == reason
    assert actions_of(mito, request) == ["file_request", "approve_request", "override_separation"]
    override = ChangeRecord.objects.get(action="override_separation")
    assert reason in override.after
    assert "2(6)ア" in override.after
    assert '"overridden":true' in ChangeRecord.objects.get(action="approve_request").after


def test_the_applicant_cannot_reject_their_own_request(mito: Any, sato: Any, minutes: Any) -> None:
    request = file(mito, sato, "asset.take_out", asset=minutes)
    with pytest.raises(PermissionDenied, match="取り下げて"):
        reject(request, sato)


def test_no_override_where_the_pack_has_no_exception(toyama: Any) -> None:
    """toyama's pack has no applicant-not-approver clause: the applicant never approves."""
    holder = make_person(toyama, "tokatsu", "統括 五郎", roles=("chief_information_manager",))
    request = file(toyama, holder, "account.suspend_violator")  # 8(1): the holder approves
    assert request.decision["constraints"] == []
    with pytest.raises(PermissionDenied, match="申請者本人は自分の申請を承認できません"):
        approve(request, holder, override_reason="急ぐため")
    assert Request.objects.get(pk=request.pk).state == RequestState.PENDING


def test_an_override_reason_is_only_for_the_applicant(
    mito: Any, suzuki: Any, sato: Any, minutes: Any
) -> None:
    request = file(mito, suzuki, "asset.take_out", asset=minutes)
    with pytest.raises(ValidationError, match="申請者本人が承認する場合にだけ"):
        approve(request, sato, override_reason="念のため")
    assert Request.objects.get(pk=request.pk).state == RequestState.PENDING


# --- who may approve -----------------------------------------------------------------------


def test_approving_twice_is_refused(
    mito: Any, suzuki: Any, sato: Any, *, kobayashi: Any, kato: Any, council_system: Any
) -> None:
    """7-1(17)イ: 情報セキュリティ責任者 and 情報システム管理者 must both approve."""
    request = file(mito, suzuki, "device.install_software", system=council_system)
    request = approve(request, kobayashi)
    assert request.state == RequestState.PENDING
    with pytest.raises(ValidationError, match="既に判断しています"):
        approve(request, kobayashi)
    request = approve(request, kato)
    assert request.state == RequestState.APPROVED
    with pytest.raises(ValidationError, match="承認済み"):
        approve(request, kato)
    assert [r["approver"] for r in _refusals(mito)] == [kobayashi.name, kato.name]
    assert Approval.objects.filter(step__request=request).count() == 2


def test_a_manager_of_another_department_cannot_approve(
    mito: Any, suzuki: Any, sato: Any, mori: Any, payroll: Any
) -> None:
    """A department-scoped role reaches only its own 課's assets."""
    request = file(mito, suzuki, "asset.take_out", asset=payroll)  # 人事課's asset
    with pytest.raises(PermissionDenied, match="部署・情報システムに及びません"):
        approve(request, sato)  # 総務課's manager
    request = approve(request, mori)
    assert request.state == RequestState.APPROVED


def test_system_scoped_roles_reach_only_their_system(
    mito: Any, somu: Any, suzuki: Any, *, kobayashi: Any, kato: Any, council_system: Any
) -> None:
    from kitei.systems.services import register_system  # noqa: PLC0415

    other = register_system(mito, actor=SETUP, name="財務会計システム", department=somu)
    request = file(mito, suzuki, "device.install_software", system=other)
    with pytest.raises(PermissionDenied, match="及びません"):
        approve(request, kato, role_id="information_system_manager")


def test_the_system_register_names_its_manager_and_operator(
    mito: Any, somu: Any, suzuki: Any, kobayashi: Any
) -> None:
    """The register's 情報システム管理者/担当者 decide for their system without an assignment."""
    from kitei.systems.services import register_system  # noqa: PLC0415

    manager = make_person(mito, "hosa", "課長 補佐", department=somu)
    operator = make_person(mito, "kakaricho", "担当 係長", department=somu)
    system = register_system(
        mito,
        actor=SETUP,
        name="会議録システム",
        department=somu,
        manager=manager,
        operator=operator,
    )
    install = file(mito, suzuki, "device.install_software", system=system)
    install = approve(approve(install, kobayashi), manager)
    assert install.state == RequestState.APPROVED
    webconf = file(mito, suzuki, "webconf.accept_external_invite", system=system)
    webconf = approve(webconf, operator)
    assert webconf.state == RequestState.APPROVED


def test_another_organisation_cannot_approve(mito: Any, suzuki: Any, minutes: Any) -> None:
    other = make_org("other", name="他の議会")
    outsider = make_person(other, "outsider", "外部 者", roles=("ciso",))
    request = file(mito, suzuki, "asset.take_out", asset=minutes)
    with pytest.raises(PermissionDenied, match="別の組織"):
        approve(request, outsider)
    assert Request.objects.get(pk=request.pk).state == RequestState.PENDING
    assert _refusals(mito)[0]["approver_organization_id"] == other.pk
    assert not ChangeRecord.objects.filter(organization=other, action="refused_approval").exists()


def test_steps_are_decided_in_order(
    mito: Any, suzuki: Any, kobayashi: Any, gicho: Any, council_system: Any
) -> None:
    """7-2(1)ウ(ウ): 情報セキュリティ責任者 nominates, then the CISO approves."""
    request = file(mito, suzuki, "system.delegate_admin", system=council_system)
    with pytest.raises(PermissionDenied, match="情報セキュリティ責任者"):
        approve(request, gicho)  # the CISO's step is the second
    request = approve(request, kobayashi)
    assert request.state == RequestState.PENDING
    request = approve(request, gicho)
    assert request.state == RequestState.APPROVED


def test_a_rejection_at_any_step_rejects_the_request(
    mito: Any, suzuki: Any, kobayashi: Any, gicho: Any, council_system: Any
) -> None:
    request = file(mito, suzuki, "system.delegate_admin", system=council_system)
    request = approve(request, kobayashi)
    request = reject(request, gicho, comment="代行者は別の者に")
    assert request.state == RequestState.REJECTED
    with pytest.raises(ValidationError, match="却下"):
        approve(request, gicho)
    assert actions_of(mito, request)[-2:] == ["reject_request", "refused_approval"]


# --- deputies (代行) ------------------------------------------------------------------------


def _deputy(mito: Any, somu: Any, sato: Any, start: Any, end: Any) -> Any:
    deputy = make_person(mito, "deputy", "代行 課長補佐", department=somu)
    assign_role(
        mito,
        actor=SETUP,
        person=deputy,
        role_id="information_security_manager",
        department=somu,
        deputy_for=sato,
        valid_from=start,
        valid_until=end,
    )
    return deputy


def test_a_deputy_within_the_period_acts_for_the_holder(
    mito: Any, somu: Any, suzuki: Any, sato: Any, minutes: Any
) -> None:
    today = timezone.localdate()
    deputy = _deputy(mito, somu, sato, today - timedelta(days=1), today + timedelta(days=1))
    request = approve(file(mito, suzuki, "asset.take_out", asset=minutes), deputy)
    assert request.state == RequestState.APPROVED
    approval = Approval.objects.get(step__request=request)
    assert (approval.approver, approval.acting_for) == (deputy, sato)
    assert f'"acting_for_id":{sato.pk}' in ChangeRecord.objects.get(action="approve_request").after


@pytest.mark.parametrize("days", [(-10, -1), (1, 10)], ids=["expired", "not-yet"])
def test_a_deputy_outside_the_period_cannot_act(
    mito: Any, somu: Any, suzuki: Any, *, sato: Any, minutes: Any, days: tuple[int, int]
) -> None:
    today = timezone.localdate()
    deputy = _deputy(mito, somu, sato, today + timedelta(days[0]), today + timedelta(days[1]))
    request = file(mito, suzuki, "asset.take_out", asset=minutes)
    with pytest.raises(PermissionDenied, match="有効期間外"):
        approve(request, deputy)
    assert Request.objects.get(pk=request.pk).state == RequestState.PENDING
    assert _refusals(mito)[0]["approver"] == deputy.name


def test_an_expired_own_assignment_cannot_approve(
    mito: Any, somu: Any, suzuki: Any, minutes: Any
) -> None:
    today = timezone.localdate()
    former = make_person(mito, "former", "前 課長", department=somu)
    assign_role(
        mito,
        actor=SETUP,
        person=former,
        role_id="information_security_manager",
        department=somu,
        valid_from=today - timedelta(days=400),
        valid_until=today - timedelta(days=1),
    )
    request = file(mito, suzuki, "asset.take_out", asset=minutes)
    with pytest.raises(PermissionDenied, match="有効期間外"):
        approve(request, former)


# --- other moves ---------------------------------------------------------------------------


def test_withdraw_only_by_the_applicant_and_only_while_waiting(
    mito: Any, suzuki: Any, sato: Any, minutes: Any
) -> None:
    request = file(mito, suzuki, "asset.take_out", asset=minutes)
    with pytest.raises(PermissionDenied, match="申請者本人だけ"):
        services.withdraw_request(request, actor=sato.user, applicant=sato)
    request = services.withdraw_request(request, actor=suzuki.user, applicant=suzuki)
    assert request.state == RequestState.WITHDRAWN
    with pytest.raises(ValidationError, match="取下げ"):
        approve(request, sato)
    with pytest.raises(ValidationError, match="「取下げ」のため、「完了」はできません"):
        services.complete_request(request, actor=SETUP)
    assert actions_of(mito, request) == ["file_request", "withdraw_request", "refused_approval"]


def test_complete_an_approved_request(mito: Any, suzuki: Any, sato: Any, minutes: Any) -> None:
    request = file(mito, suzuki, "asset.take_out", asset=minutes)
    with pytest.raises(ValidationError, match="承認待ち"):
        services.complete_request(request, actor=SETUP)
    request = services.complete_request(approve(request, sato), actor=sato.user)
    assert request.state == RequestState.COMPLETED


def test_a_refusal_survives_the_callers_rollback_of_its_own_work(
    mito: Any, suzuki: Any, sato: Any, minutes: Any
) -> None:
    """The refused attempt is written in its own transaction, after the change rolled back."""
    request = file(mito, suzuki, "asset.take_out", asset=minutes)
    with transaction.atomic(), pytest.raises(PermissionDenied):
        approve(request, suzuki)
    assert [r["approver"] for r in _refusals(mito)] == [suzuki.name]
    assert verify_audit_chain(mito).ok
