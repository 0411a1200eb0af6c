"""`/api/audits` and `/api/findings`: the caller's organisation's audits and findings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kitei.audits import queries
from kitei.audits.models import Audit, Finding
from kitei.core import access
from kitei.core.api.auth import ApiError, TokenAuth, caller_of
from kitei.core.api.errors import ERRORS
from kitei.core.fiscal import fiscal_year_label
from kitei.people.models import Person

audits_router = Router(tags=["監査"])
findings_router = Router(tags=["監査の指摘事項"])


class AuditOut(Schema):
    """One audit, its scope, criteria, auditors and seal."""

    id: int
    number: str
    title: str
    kind: str
    fiscal_year: int
    fiscal_year_label: str
    state: str
    departments: list[str]
    systems: list[str]
    contracts: list[str]
    criteria: list[dict[str, str]]
    methods: list[str]
    starts_on: date | None
    ends_on: date | None
    pack_digest: str
    auditors: list[dict[str, Any]] = Field(description="監査人と独立性の判定")
    sealed_at: datetime | None
    manifest_sha256: str = Field(description="封印の目録の SHA-256（未発行なら空）")


class FindingOut(Schema):
    """One finding and its corrective actions."""

    id: int
    number: str
    audit: str
    kind: str
    kind_label: str
    title: str
    clause: str
    quote: str
    department: str
    owner: str
    due_on: date | None
    state: str
    state_label: str
    actions: list[dict[str, str]]


class FindingFilters(Schema):
    mine: bool = Field(False, description="自分が所管するもののみ")


def _audit_out(audit: Audit) -> dict[str, Any]:
    return {
        "id": audit.pk,
        "number": audit.number,
        "title": audit.title,
        "kind": audit.kind,
        "fiscal_year": audit.programme.fiscal_year,
        "fiscal_year_label": fiscal_year_label(audit.programme.fiscal_year),
        "state": audit.state,
        "departments": [d.name for d in audit.departments.all()],
        "systems": [s.name for s in audit.systems.all()],
        "contracts": audit.contracts,
        "criteria": audit.criteria,
        "methods": audit.methods,
        "starts_on": audit.starts_on,
        "ends_on": audit.ends_on,
        "pack_digest": audit.pack_digest,
        "auditors": [
            {
                "name": a.person.name,
                "lead": a.is_lead,
                "override_reason": a.override_reason,
                "independence": a.verdict,
            }
            for a in audit.appointments.select_related("person")
        ],
        "sealed_at": audit.sealed_at,
        "manifest_sha256": audit.manifest_sha256,
    }


def _person(request: HttpRequest) -> tuple[Any, Person]:
    caller = caller_of(request)
    person = access.person_of(caller.user)
    if not isinstance(person, Person):
        raise ApiError(403, "person", "組織の職員ではありません。")
    return caller, person


@audits_router.get(
    "", response={200: list[AuditOut], **ERRORS}, auth=TokenAuth(), summary="監査の一覧"
)
def list_audits(request: HttpRequest) -> list[dict[str, Any]]:
    """Audits the caller may see (audits.view, or appointed to), newest first."""
    caller, person = _person(request)
    rows = queries.visible_audits(caller.organization, caller.user, person).order_by("-pk")
    return [_audit_out(a) for a in rows[:500]]


@audits_router.get(
    "/{audit_id}", response={200: AuditOut, **ERRORS}, auth=TokenAuth(), summary="監査"
)
def get_audit(request: HttpRequest, audit_id: int) -> dict[str, Any]:
    """One audit of the caller's organisation (404 for another's)."""
    caller, person = _person(request)
    audit = (
        access.scoped(Audit.objects.all(), caller.organization)
        .select_related("programme")
        .filter(pk=audit_id)
        .first()
    )
    if audit is None or not queries.may_view_audit(caller.user, person, audit):
        raise ApiError(404, "not_found", "監査が見つかりません。")
    return _audit_out(audit)


def _finding_out(finding: Finding) -> dict[str, Any]:
    from kitei.audits.findings import actions_of  # noqa: PLC0415 - keeps the import light

    return {
        "id": finding.pk,
        "number": finding.number,
        "audit": finding.audit.number,
        "kind": finding.kind,
        "kind_label": str(finding.get_kind_display()),
        "title": finding.title,
        "clause": finding.clause,
        "quote": finding.quote,
        "department": finding.department.name,
        "owner": finding.owner.name,
        "due_on": finding.due_on,
        "state": finding.state,
        "state_label": str(finding.get_state_display()),
        "actions": [
            {"number": a.number, "title": a.title, "state": a.state} for a in actions_of(finding)
        ],
    }


@findings_router.get(
    "", response={200: list[FindingOut], **ERRORS}, auth=TokenAuth(), summary="指摘事項の一覧"
)
def list_findings(request: HttpRequest, filters: Query[FindingFilters]) -> list[dict[str, Any]]:
    """Findings the caller owns, or all of them with audits.view."""
    caller, person = _person(request)
    rows = queries.findings_for(caller.organization, caller.user, person, mine=filters.mine)
    return [_finding_out(f) for f in rows[:1000]]
