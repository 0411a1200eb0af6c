"""From a person's wish to the engine's question, and from its answer to an approval route.

The engine only sees JSON (`kitei.policy`); this module builds that JSON from the register
rows (the asset's class, form and 課, the system's zone) and the applicant's roles, turns
the decision's steps into the rows `services.file_request` stores, and says whether an
approver may decide a step (entitlement, separation of duties). It reads only; it writes
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from kitei.approvals.models import ApprovalStep, Request
from kitei.assets.models import Asset, AssetForm
from kitei.core import access
from kitei.core.models import Organization
from kitei.people import entitlements
from kitei.people.models import Department, Person
from kitei.policy import ApprovalMode, Constraint, Decision, Effect
from kitei.policy.actions import CONTEXT_FLAGS
from kitei.systems.models import System

# The route of a request the pack is silent on (002 6-1(1)ア: 相談し、指示を仰ぐ).
GAP_STEP = {
    "mode": ApprovalMode.ANY_OF.value,
    "roles": [{"id": entitlements.POLICY_OFFICE, "title": "情報政策担当（組織管理者）"}],
}


def clean_context(context: Mapping[str, Any] | None) -> dict[str, bool]:
    """The context flags of a request (emergency, external, minor …), each true or false."""
    result: dict[str, bool] = {}
    for key, value in (context or {}).items():
        if key not in CONTEXT_FLAGS:
            allowed = "、".join(sorted(CONTEXT_FLAGS))
            raise ValidationError(
                _("状況「%(key)s」は指定できません（指定できるもの: %(allowed)s）。")
                % {"key": key, "allowed": allowed}
            )
        if not isinstance(value, bool):
            raise ValidationError(_("状況「%(key)s」は true か false です。") % {"key": key})
        result[key] = value
    return result


def asset_resource(asset: Asset) -> dict[str, Any]:
    """The engine's view of an asset: its kind (記録媒体 or not), class and network zone."""
    resource: dict[str, Any] = {
        "kind": "medium" if asset.form == AssetForm.MEDIUM else "asset",
        "id": asset.pk,
        "classification": dict(asset.classification),
    }
    if asset.system is not None and asset.system.zone:
        resource["zone"] = asset.system.zone
    return resource


def system_resource(system: System) -> dict[str, Any]:
    """The engine's view of a system: kind `system`, its zone and required availability."""
    resource: dict[str, Any] = {"kind": "system", "id": system.pk}
    if system.zone:
        resource["zone"] = system.zone
    if system.availability:
        resource["classification"] = {"availability": system.availability}
    return resource


def engine_request(
    *,
    applicant: Person,
    action: str,
    asset: Asset | None,
    system: System | None,
    context: Mapping[str, bool],
) -> dict[str, Any]:
    """The JSON request the engine decides (and an auditor replays): who, what, on what."""
    if asset is not None:
        resource = asset_resource(asset)
    elif system is not None:
        resource = system_resource(system)
    else:
        resource = {}
    return {
        "action": action,
        "actor": {"id": applicant.pk, "roles": sorted(access.roles_held_by(applicant))},
        "resource": resource,
        "context": dict(context),
    }


def department_for(
    applicant: Person, asset: Asset | None, system: System | None
) -> Department | None:
    """The 課 whose department-scoped roles decide: the asset's, the system's, the applicant's."""
    if asset is not None:
        return asset.department
    if system is not None:
        return system.department
    return applicant.department


def step_rows(decision: Decision) -> list[dict[str, Any]]:
    """The route: the decision's steps in order, or the policy office for a gap."""
    if decision.effect == Effect.UNDETERMINED:
        return [GAP_STEP]
    if decision.effect != Effect.APPROVAL_REQUIRED:
        return []
    return [step.to_json() for step in decision.approvals]


def check_route(
    organization: Organization,
    steps: Sequence[Mapping[str, Any]],
    *,
    department: Department | None,
    system: System | None,
) -> None:
    """Refuse a route some step of which nobody could ever decide (no 課 / no system named)."""
    scopes = entitlements.role_scopes(organization)
    for step in steps:
        for role in step["roles"]:
            scope = scopes.get(role["id"])
            if scope == "system" and system is None:
                raise ValidationError(
                    _("「%(role)s」が承認するため、対象の情報システムを指定してください。")
                    % {"role": role["title"]}
                )
            if scope == "department" and department is None:
                raise ValidationError(
                    _("「%(role)s」が承認するため、対象の情報資産か所属部署が必要です。")
                    % {"role": role["title"]}
                )


def target_of(request: Request) -> entitlements.ApprovalTarget:
    """Who may decide this request is resolved against its 課 and system (rows loaded)."""
    system = request.system
    return entitlements.ApprovalTarget(
        organization_id=request.organization_id,
        department_id=request.department_id,
        system_id=request.system_id,
        system_manager_id=system.manager_id if system is not None else None,
        system_operator_id=system.operator_id if system is not None else None,
    )


def current_step(steps: Sequence[ApprovalStep]) -> ApprovalStep | None:
    """The first step not yet complete (steps in position order), or None."""
    for step in steps:
        if step.completed_at is None:
            return step
    return None


def step_role_ids(step: ApprovalStep) -> list[str]:
    """The role ids a step names, in order."""
    return [str(role["id"]) for role in step.roles]


def applicant_constraint(decision: Decision) -> Constraint | None:
    """The pack's applicant-not-approver constraint in a decision (002 2(6)ア), if any."""
    return decision.constraint("applicant_not_approver")


def may_self_approve(decision: Decision) -> bool:
    """Whether the pack lets the applicant approve with a written reason (002 2(6)ア)."""
    constraint = applicant_constraint(decision)
    return constraint is not None and constraint.override == "with_reason"


def entitlement(
    request: Request,
    step: ApprovalStep,
    approver: Person,
    *,
    role_id: str | None,
    decided: set[str],
) -> entitlements.Entitlement:
    """The role of the step the approver decides for now, or PermissionDenied saying why not."""
    titles = {str(r["id"]): str(r["title"]) for r in step.roles}
    if role_id is not None and role_id not in titles:
        raise ValidationError(_("この段階に「%(role)s」はありません。") % {"role": role_id})
    if role_id is not None and role_id in decided:
        raise ValidationError(
            _("「%(role)s」としては既に判断されています。") % {"role": titles[role_id]}
        )
    pending = [r for r in titles if r not in decided] if role_id is None else [role_id]
    target = target_of(request)
    entitled = entitlements.step_entitlements(approver, target, pending)
    if entitled:
        return entitled[0]
    wanted = "・".join(titles[r] for r in pending)
    every_period = list(approver.assignments.all())
    if entitlements.step_entitlements(approver, target, pending, assignments=every_period):
        raise PermissionDenied(
            _("「%(roles)s」の割当ての有効期間外のため、判断できません。") % {"roles": wanted}
        )
    if set(pending) & access.roles_held_by(approver):
        raise PermissionDenied(
            _("「%(roles)s」の権限はこの申請の部署・情報システムに及びません。") % {"roles": wanted}
        )
    raise PermissionDenied(
        _("この段階は「%(roles)s」が判断します。あなたには権限がありません。") % {"roles": wanted}
    )


def separation_override(request: Request, approver: Person, *, approve: bool, reason: str) -> bool:
    """Separation of duties (002 2(6)ア): whether the approver overrides it, or refuse.

    The applicant never decides their own request, unless the pack's applicant-not-approver
    constraint allows the override with a reason and a reason is written.
    """
    if approver.pk != request.applicant_id:
        if reason:
            raise ValidationError(
                _("職務分離の例外理由は、申請者本人が承認する場合にだけ記入します。")
            )
        return False
    if not approve:
        raise PermissionDenied(_("申請者本人は自分の申請を却下できません。取り下げてください。"))
    constraint = applicant_constraint(request.stored_decision)
    if constraint is None or constraint.override != "with_reason":
        cite = f"（{constraint.clause}）" if constraint else ""
        raise PermissionDenied(_("申請者本人は自分の申請を承認できません。") + cite)
    if not reason:
        raise PermissionDenied(
            _(
                "%(message)s（%(clause)s）止むを得ず本人が承認する場合は、その理由を記入してください。"
            )
            % {"message": constraint.message, "clause": constraint.clause}
        )
    return True
