"""`/api/inspections`: inspection items, starting a campaign and its roll-up over the JSON API.

Everything is the caller's organisation's; another organisation's campaign is 404. A
campaign that cannot start answers 422 with the Japanese reason.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kitei.core.api.auth import ApiError, TokenAuth, caller_of
from kitei.core.api.common import get_or_404
from kitei.core.api.errors import ERRORS
from kitei.inspections.generation import start_campaign
from kitei.inspections.items import controls_of, item_json, pack_of
from kitei.inspections.models import Campaign
from kitei.inspections.queries import rollup_json

router = Router(tags=["自己点検"])


class ItemFilters(Schema):
    """Which scope's items (all when omitted)."""

    scope: str | None = Field(None, description="organization | department | system | person")


class Actor(Schema):
    id: str
    title: str


class ItemOut(Schema):
    """One inspection item of the pack, as `kitei inspection items --json` prints it."""

    id: str
    clause: str
    quote: str
    source: str
    scope: str
    kind: str
    actors: list[Actor]
    question: str


class CampaignIn(Schema):
    """The duty and fiscal year of a new campaign; scopes default from the duty's roles."""

    duty: str = Field(min_length=1, max_length=64)
    fiscal_year: int = Field(ge=2000, le=2100)
    scopes: list[str] | None = None


class CampaignOut(Schema):
    id: int
    duty: str
    fiscal_year: int
    pack_digest: str
    scopes: list[str]
    questionnaires: int


@router.get(
    "/items",
    response={200: list[ItemOut], **ERRORS},
    auth=TokenAuth("inspections.view"),
    summary="点検項目",
)
def list_items(request: HttpRequest, filters: Query[ItemFilters]) -> list[dict[str, Any]]:
    """The inspection items of the caller's organisation's pack."""
    pack = pack_of(caller_of(request).organization)
    try:
        controls = controls_of(pack, filters.scope)
    except ValueError as exc:
        raise ApiError(422, "scope", str(exc)) from None
    return [item_json(pack, c) for c in controls]


@router.post(
    "/campaigns",
    response={201: CampaignOut, **ERRORS},
    auth=TokenAuth("inspections.manage"),
    summary="自己点検の開始",
)
def create_campaign(request: HttpRequest, body: CampaignIn) -> Status[dict[str, Any]]:
    """Start a fiscal year's campaign and generate its questionnaires."""
    caller = caller_of(request)
    try:
        campaign = start_campaign(
            caller.organization,
            actor=caller.user,
            duty_id=body.duty,
            fiscal_year=body.fiscal_year,
            scopes=body.scopes,
        )
    except ValidationError as exc:
        raise ApiError(422, "campaign", " ".join(exc.messages)) from None
    return Status(
        201,
        {
            "id": campaign.pk,
            "duty": campaign.duty_id,
            "fiscal_year": campaign.fiscal_year,
            "pack_digest": campaign.pack_digest,
            "scopes": campaign.scopes,
            "questionnaires": campaign.questionnaires.count(),
        },
    )


@router.get(
    "/campaigns/{campaign_id}/rollup",
    response={200: dict[str, Any], **ERRORS},
    auth=TokenAuth("inspections.view"),
    summary="自己点検の集計",
)
def campaign_rollup(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    """Counts of each answer per questionnaire, per item and in all, with improvements."""
    organization = caller_of(request).organization
    campaign = get_or_404(Campaign.objects.all(), organization, campaign_id, "自己点検")
    return rollup_json(campaign)
