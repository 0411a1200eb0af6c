"""`/api/incidents`: file, list, read, acknowledge a report step, add timeline entries.

Need-to-know holds as on the pages: a personal-data incident is 404 to anyone off its
chain, and every read of it by an allowed caller is in the audit trail. Timeline entries
are append-only: there is no route that updates or deletes one (405).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kitei.assets.models import Asset
from kitei.core.api import common
from kitei.core.api.auth import ApiError, Caller, TokenAuth, caller_of
from kitei.core.api.errors import ERRORS
from kitei.incidents import queries, services, timeline, visibility
from kitei.incidents.choices import IncidentState, Source
from kitei.incidents.models import Incident, ReportStep, TimelineEntry
from kitei.systems.models import System

router = Router(tags=["インシデント"])


class IncidentIn(Schema):
    """What happened: kind (pack id or title), title, text, times, flags, register rows."""

    kind: str = Field("", max_length=200, description="種別（パックの id または名称）")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=20000)
    detected_at: datetime
    occurred_at: datetime | None = None
    source: str = Field(Source.INTERNAL.value, description="internal / external")
    flags: list[str] = Field(default_factory=list)
    asset_ids: list[int] = Field(default_factory=list)
    system_ids: list[int] = Field(default_factory=list)


class StepOut(Schema):
    id: int
    order: int
    clause: str
    quote: str
    timing: str
    senders: list[dict[str, str]]
    to: str
    role: str
    party: str
    recipients: list[str]
    vacant: bool
    decision_required: bool
    decision: str
    state: str
    sent_at: datetime | None
    acknowledged_at: datetime | None
    means: str


class EntryOut(Schema):
    id: int
    kind: str
    text: str
    event_at: datetime
    recorded_at: datetime
    author: str
    corrects: int | None


class IncidentOut(Schema):
    id: int
    number: str
    kind: str
    kind_title: str
    title: str
    description: str
    state: str
    detected_at: datetime
    occurred_at: datetime | None
    reported_at: datetime
    flags: list[str]
    restricted: bool
    manual: bool
    reporter: str
    pack: dict[str, str]
    steps: list[StepOut]
    timeline: list[EntryOut]


class IncidentRow(Schema):
    id: int
    number: str
    kind: str
    title: str
    state: str
    reported_at: datetime
    restricted: bool


class IncidentList(Schema):
    count: int
    items: list[IncidentRow]


class ListFilters(common.Paging):
    state: str = Field("", description="状態（reported, triage, …）")
    kind: str = Field("", description="種別の id")
    year: int | None = Field(None, description="年度（西暦、例: 2026 は令和8年度）")


class AcknowledgeIn(Schema):
    means: str = Field("", description="外部への連絡の手段（phone, document …）")


class EntryIn(Schema):
    kind: str
    text: str = Field(min_length=1, max_length=20000)
    event_at: datetime
    corrects: int | None = None


def _incident(caller: Caller, pk: int) -> Incident:
    """The incident for the caller (404 for another organisation's or off the chain)."""
    incident = common.get_or_404(Incident.objects.all(), caller.organization, pk, _("インシデント"))
    if not visibility.can_see(caller.user, incident):
        raise ApiError(404, "not_found", _("見つかりません。"))
    return incident


def _out(incident: Incident) -> dict[str, Any]:
    steps = incident.steps.prefetch_related("recipients")
    entries = incident.timeline.select_related("author")
    return {
        "id": incident.pk,
        "number": incident.number,
        "kind": incident.kind,
        "kind_title": incident.kind_title,
        "title": incident.title,
        "description": incident.description,
        "state": incident.state,
        "detected_at": incident.detected_at,
        "occurred_at": incident.occurred_at,
        "reported_at": incident.reported_at,
        "flags": list(incident.flags),
        "restricted": incident.restricted,
        "manual": incident.manual,
        "reporter": incident.reporter.name,
        "pack": {
            "id": incident.pack_id,
            "version": incident.pack_version,
            "digest": incident.pack_digest,
        },
        "steps": [_step(s) for s in steps],
        "timeline": [
            {
                "id": e.pk,
                "kind": e.kind,
                "text": e.text,
                "event_at": e.event_at,
                "recorded_at": e.recorded_at,
                "author": e.author.name,
                "corrects": e.corrects_id,
            }
            for e in entries
        ],
    }


def _step(s: ReportStep) -> dict[str, Any]:
    return {
        "id": s.pk,
        "order": s.order,
        "clause": s.clause,
        "quote": s.quote,
        "timing": s.timing,
        "senders": s.senders,
        "to": s.to_title,
        "role": s.role,
        "party": s.party,
        "recipients": [p.name for p in s.recipients.all()],
        "vacant": s.vacant,
        "decision_required": s.decision_required,
        "decision": s.decision,
        "state": s.state,
        "sent_at": s.sent_at,
        "acknowledged_at": s.acknowledged_at,
        "means": s.means,
    }


@router.post(
    "",
    response={201: IncidentOut, **ERRORS},
    auth=TokenAuth("incidents.file"),
    summary="インシデントの報告",
)
def file_incident(request: HttpRequest, payload: IncidentIn) -> Status[dict[str, Any]]:
    """File an incident: the pack's chain opens for it (or it is marked manual)."""
    caller = caller_of(request)
    org = caller.organization
    assets = [common.lookup(Asset.objects.all(), org, i, _("情報資産")) for i in payload.asset_ids]
    systems = [
        common.lookup(System.objects.all(), org, i, _("情報システム")) for i in payload.system_ids
    ]
    try:
        incident = services.file_incident(
            org,
            actor=caller.user,
            kind=payload.kind,
            title=payload.title,
            description=payload.description,
            detected_at=payload.detected_at,
            occurred_at=payload.occurred_at,
            source=payload.source,
            flags=payload.flags,
            assets=assets,
            systems=systems,
        )
    except PermissionDenied as exc:
        raise ApiError(403, "forbidden", str(exc)) from None
    return Status(201, _out(incident))


@router.get(
    "",
    response={200: IncidentList, **ERRORS},
    auth=TokenAuth("incidents.view"),
    summary="インシデントの一覧",
)
def list_incidents(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    """The incidents the caller may see, newest first (restricted ones only on their chain)."""
    caller = caller_of(request)
    if filters.state and filters.state not in IncidentState.values:
        raise ApiError(422, "invalid", _("状態が正しくありません。"))
    rows = queries.filtered(
        queries.visible(caller.organization, caller.user),
        state=filters.state,
        kind=filters.kind,
        year=filters.year,
    )
    count = rows.count()
    page = rows[filters.offset : filters.offset + filters.limit]
    items = [
        {
            "id": i.pk,
            "number": i.number,
            "kind": i.kind,
            "title": i.title,
            "state": i.state,
            "reported_at": i.reported_at,
            "restricted": i.restricted,
        }
        for i in page
    ]
    return {"count": count, "items": items}


@router.get(
    "/{int:incident_id}",
    response={200: IncidentOut, **ERRORS},
    auth=TokenAuth("incidents.view"),
    summary="インシデント",
)
def get_incident(request: HttpRequest, incident_id: int) -> dict[str, Any]:
    """One incident with its steps and timeline (a restricted read is recorded)."""
    caller = caller_of(request)
    incident = visibility.read_incident(_incident(caller, incident_id), actor=caller.user)
    return _out(incident)


@router.post(
    "/{int:incident_id}/steps/{int:step_id}/acknowledge",
    response={200: IncidentOut, **ERRORS},
    auth=TokenAuth("incidents.view"),
    summary="報告の受領",
)
def acknowledge(
    request: HttpRequest, incident_id: int, step_id: int, payload: AcknowledgeIn
) -> dict[str, Any]:
    """Record receipt of a report sent to the caller; opens the steps that waited for it."""
    caller = caller_of(request)
    incident = _incident(caller, incident_id)
    step = incident.steps.filter(pk=step_id).first()
    if step is None:
        raise ApiError(404, "not_found", _("見つかりません。"))
    try:
        services.acknowledge_step(step, actor=caller.user, means=payload.means)
    except PermissionDenied as exc:
        raise ApiError(403, "forbidden", str(exc)) from None
    return _out(incident)


@router.post(
    "/{int:incident_id}/timeline",
    response={201: EntryOut, **ERRORS},
    auth=TokenAuth("incidents.view"),
    summary="経過記録の追加",
)
def add_entry(request: HttpRequest, incident_id: int, payload: EntryIn) -> Status[dict[str, Any]]:
    """Append a timeline entry; a correction names the entry it corrects."""
    caller = caller_of(request)
    incident = _incident(caller, incident_id)
    corrects = None
    if payload.corrects is not None:
        corrects = TimelineEntry.objects.filter(incident=incident, pk=payload.corrects).first()
        if corrects is None:
            raise ApiError(422, "invalid", _("訂正する記録がこのインシデントにありません。"))
    try:
        entry = timeline.add_timeline_entry(
            incident,
            actor=caller.user,
            kind=payload.kind,
            text=payload.text,
            event_at=payload.event_at,
            corrects=corrects,
        )
    except PermissionDenied as exc:
        raise ApiError(403, "forbidden", str(exc)) from None
    return Status(
        201,
        {
            "id": entry.pk,
            "kind": entry.kind,
            "text": entry.text,
            "event_at": entry.event_at,
            "recorded_at": entry.recorded_at,
            "author": entry.author.name,
            "corrects": entry.corrects_id,
        },
    )
