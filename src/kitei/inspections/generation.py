"""Starting a campaign: items pinned from the pack, one questionnaire per scope, answers in bulk.

Items and questionnaires go in with `bulk_create`; the answers (150 課 × 300 items = 45,000
rows) with `kitei.core.bulk.insert_rows`, the project's multi-row INSERT.

The scopes come from the duty the campaign is started from (its actors' scopes: a
system-scoped actor → one questionnaire per system of the 情報システム台帳; a 課-scoped one → one
per 課 plus the organisation's; a duty whose quote asks by アンケート (003 9(2)) → one per
person plus the organisation's; otherwise the organisation's), unless the starter names them.
Who answers and who reviews are the holders of the duty's roles; a role the duty does not
name stays 未設定 (empty), never a guessed one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kitei.core import access
from kitei.core.bulk import insert_rows
from kitei.core.models import Organization
from kitei.core.services import actor_name, record_change, record_changes
from kitei.inspections.choices import InspectionAuditAction, Scope
from kitei.inspections.items import controls_of, item_json, pack_of
from kitei.inspections.models import Answer, Campaign, Item, Questionnaire
from kitei.people.models import Department, Person, RoleAssignment
from kitei.people.queries import valid_on
from kitei.policy.model import Pack, PeriodicDuty, Role
from kitei.policy.model_controls import CONTROL_SCOPES
from kitei.systems.models import System

BATCH = 2000


def inspection_duties(pack: Pack) -> list[PeriodicDuty]:
    """The pack's periodic duties a campaign can start from (those that 点検)."""
    return [d for d in pack.periodic_duties if "点検" in d.title]


@dataclass(frozen=True, kw_only=True)
class DutyRoles:
    """The duty's actors by scope: who answers per system, per 課, for the organisation."""

    system: Role | None
    department: Role | None
    organization: Role | None


def duty_roles(pack: Pack, duty: PeriodicDuty) -> DutyRoles:
    """The first role of each scope among the duty's actors (user categories and bodies aside)."""
    roles = {r.id: r for r in pack.roles}
    actors = [roles[a] for a in duty.actors if a in roles and roles[a].kind == "role"]

    def first(scope: str) -> Role | None:
        return next((r for r in actors if r.scope == scope), None)

    return DutyRoles(
        system=first("system"), department=first("department"), organization=first("organization")
    )


def default_scopes(pack: Pack, duty: PeriodicDuty) -> list[str]:
    """The scopes a campaign of this duty covers unless its starter names them."""
    roles = duty_roles(pack, duty)
    if roles.system is not None:
        return [Scope.SYSTEM.value]
    if roles.department is not None:
        return [Scope.ORGANIZATION.value, Scope.DEPARTMENT.value]
    if "アンケート" in duty.quote:
        return [Scope.ORGANIZATION.value, Scope.PERSON.value]
    return [Scope.ORGANIZATION.value]


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="invalid")


def _duty(pack: Pack, duty_id: str) -> PeriodicDuty:
    found = next((d for d in inspection_duties(pack) if d.id == duty_id), None)
    if found is None:
        known = "、".join(f"{d.id}（{d.title}）" for d in inspection_duties(pack)) or "なし"
        raise _refuse(f"「{duty_id}」は点検の義務ではありません（この規程の点検の義務: {known}）。")
    return found


@transaction.atomic
def start_campaign(
    organization: Organization,
    *,
    actor: access.Actor,
    duty_id: str,
    fiscal_year: int,
    scopes: Iterable[str] | None = None,
) -> Campaign:
    """Start the fiscal year's campaign of a duty; everything is generated or nothing is."""
    access.require(actor, "inspections.manage", organization)
    pack = pack_of(organization)
    duty = _duty(pack, duty_id)
    wanted = list(scopes) if scopes else default_scopes(pack, duty)
    unknown = [s for s in wanted if s not in CONTROL_SCOPES]
    if unknown:
        raise _refuse(f"対象「{'、'.join(unknown)}」は選べません。")
    if not 2000 <= fiscal_year <= 2100:
        raise _refuse(f"年度「{fiscal_year}」が正しくありません。")
    if Campaign.objects.filter(
        organization=organization, fiscal_year=fiscal_year, duty_id=duty.id
    ).exists():
        raise _refuse("この年度のこの自己点検は開始済みです。")
    controls = [c for s in CONTROL_SCOPES if s in wanted for c in controls_of(pack, s)]
    if not controls:
        raise _refuse("規程に、選んだ対象の点検項目がありません。")
    items_data = [item_json(pack, c) | {"evidence": list(c.evidence)} for c in controls]
    manifest = (
        "sha256:"
        + hashlib.sha256(
            json.dumps(items_data, ensure_ascii=False, sort_keys=True).encode("utf-8")
        ).hexdigest()
    )
    campaign = Campaign.objects.create(
        organization=organization,
        fiscal_year=fiscal_year,
        duty_id=duty.id,
        duty_title=duty.title,
        clause=duty.clause,
        quote=duty.quote,
        source=duty.source or pack.source,
        pack_id=organization.pack_id,
        pack_version=organization.pack_version,
        pack_digest=organization.pack_digest,
        scopes=[s for s in CONTROL_SCOPES if s in wanted],
        manifest=manifest,
        started_by=actor_name(actor),
    )
    items = Item.objects.bulk_create(
        [
            Item(
                organization=organization,
                campaign=campaign,
                position=n,
                control_id=d["id"],
                clause=d["clause"],
                quote=d["quote"],
                source=d["source"],
                scope=d["scope"],
                kind=d["kind"],
                question=d["question"],
                actors=d["actors"],
                evidence=d["evidence"],
            )
            for n, d in enumerate(items_data, 1)
        ],
        batch_size=BATCH,
    )
    questionnaires = Questionnaire.objects.bulk_create(
        _questionnaires(organization, campaign, pack, duty), batch_size=BATCH
    )
    by_scope: dict[str, list[Item]] = {}
    for item in items:
        by_scope.setdefault(item.scope, []).append(item)
    _answers(organization, questionnaires, by_scope)
    record_change(
        organization,
        actor=actor,
        action=InspectionAuditAction.START_CAMPAIGN,
        obj=campaign,
        after={
            "fiscal_year": fiscal_year,
            "duty_id": duty.id,
            "clause": duty.clause,
            "quote": duty.quote,
            "pack_digest": campaign.pack_digest,
            "manifest": manifest,
            "scopes": campaign.scopes,
            "items": len(items),
            "questionnaires": len(questionnaires),
        },
    )
    record_changes(
        organization,
        actor=actor,
        entries=(
            {
                "action": InspectionAuditAction.GENERATE_QUESTIONNAIRE,
                "obj": q,
                "after": {
                    "campaign": campaign.pk,
                    "scope": q.scope,
                    "title": q.title,
                    "assignee": q.assignee_id,
                    "assignee_role": q.assignee_role,
                    "reviewer": q.reviewer_id,
                    "reviewer_role": q.reviewer_role,
                    "items": len(by_scope.get(q.scope, ())),
                    "manifest": manifest,
                },
            }
            for q in questionnaires
        ),
    )
    return campaign


def _answers(
    organization: Organization,
    questionnaires: list[Questionnaire],
    by_scope: dict[str, list[Item]],
) -> None:
    """One blank answer per item of each questionnaire, in a few multi-row INSERTs."""
    columns = ("organization", "questionnaire", "item", *_BLANK)
    blank = ("",) * len(_BLANK)
    rows = [
        (organization.pk, q.pk, item.pk, *blank)
        for q in questionnaires
        for item in by_scope.get(q.scope, ())
    ]
    insert_rows(Answer, columns, rows)


# The answer's text columns, empty until answered (NOT NULL, no database default).
_BLANK = ("choice", "reason", "plan", "owner", "comment", "answered_by")


def holders(organization: Organization, role_id: str) -> list[RoleAssignment]:
    """The valid assignments of a role today, oldest first (deputies after the holder)."""
    today = timezone.localdate()
    return list(
        RoleAssignment.objects.filter(organization=organization, role_id=role_id)
        .filter(valid_on(today))
        .order_by("deputy_for_id", "pk")
    )


def _first_holder(assignments: list[RoleAssignment], **match: Any) -> int | None:
    for a in assignments:
        if all(getattr(a, k) == v for k, v in match.items()):
            return a.person_id
    return None


def _questionnaires(
    organization: Organization, campaign: Campaign, pack: Pack, duty: PeriodicDuty
) -> list[Questionnaire]:
    roles = duty_roles(pack, duty)
    org_role = roles.organization
    org_holders = holders(organization, org_role.id) if org_role else []
    reviewer_id = _first_holder(org_holders)
    common: dict[str, Any] = {"organization": organization, "campaign": campaign}
    found: list[Questionnaire] = []
    if Scope.ORGANIZATION in campaign.scopes:
        found.append(
            Questionnaire(
                **common,
                scope=Scope.ORGANIZATION,
                title=organization.name,
                assignee_role=org_role.id if org_role else "",
                assignee_id=reviewer_id,
            )
        )
    review = {"reviewer_role": org_role.id if org_role else "", "reviewer_id": reviewer_id}
    if Scope.DEPARTMENT in campaign.scopes:
        role = roles.department
        dept_holders = holders(organization, role.id) if role else []
        for dept in Department.objects.filter(organization=organization).order_by("name", "pk"):
            found.append(
                Questionnaire(
                    **common,
                    **review,
                    scope=Scope.DEPARTMENT,
                    title=dept.name,
                    department=dept,
                    assignee_role=role.id if role else "",
                    assignee_id=_first_holder(dept_holders, department_id=dept.pk),
                )
            )
    if Scope.SYSTEM in campaign.scopes:
        found.extend(_system_questionnaires(organization, roles.system, common, review))
    if Scope.PERSON in campaign.scopes:
        for person in Person.objects.filter(organization=organization).order_by("name", "pk"):
            found.append(
                Questionnaire(
                    **common,
                    **review,
                    scope=Scope.PERSON,
                    title=person.name,
                    department_id=person.department_id,
                    subject=person,
                    assignee_id=person.pk,
                )
            )
    return found


def _system_questionnaires(
    organization: Organization,
    role: Role | None,
    common: dict[str, Any],
    review: dict[str, Any],
) -> list[Questionnaire]:
    assignments = holders(organization, role.id) if role else []
    column = role.register_column if role else None
    found = []
    for system in System.objects.filter(organization=organization).order_by("name", "pk"):
        if column is not None:
            assignee = getattr(system, f"{column}_id")
        else:
            assignee = _first_holder(assignments, system_id=system.pk)
        found.append(
            Questionnaire(
                **common,
                **review,
                scope=Scope.SYSTEM,
                title=system.name,
                department_id=system.department_id,
                system=system,
                assignee_role=role.id if role else "",
                assignee_id=assignee,
            )
        )
    return found
