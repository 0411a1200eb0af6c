"""Pages of self-inspection campaigns: the list, starting one, its questionnaires, the roll-up."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kitei.core import access
from kitei.core.fiscal import fiscal_year, fiscal_year_label
from kitei.core.models import Organization
from kitei.core.workflow import TransitionRefused, move
from kitei.inspections import queries
from kitei.inspections.choices import CampaignEvent, QuestionnaireState
from kitei.inspections.forms import StartForm
from kitei.inspections.generation import inspection_duties, start_campaign
from kitei.inspections.items import pack_of
from kitei.inspections.models import Campaign
from kitei.inspections.workflow import CAMPAIGN_WORKFLOW
from kitei.people.models import Person


def member(request: HttpRequest, permission: access.Permission) -> tuple[Organization, Person]:
    """The user's organisation and Person, after checking the permission there (403 otherwise)."""
    org = access.organization_of(request.user)
    access.require(request.user, permission, org)
    person = access.person_of(request.user)
    if org is None or not isinstance(person, Person):
        raise PermissionDenied(permission)
    return org, person


def _campaign(org: Organization, pk: int) -> Campaign:
    """One campaign of the organisation, or 404 (also another organisation's)."""
    return get_object_or_404(access.scoped(Campaign.objects.all(), org), pk=pk)


def _start_form(org: Organization, data: object = None) -> StartForm:
    duties = [(d.id, f"{d.title}（{d.clause}）") for d in inspection_duties(pack_of(org))]
    return StartForm(
        data,
        duties=duties,
        initial={"fiscal_year": fiscal_year(timezone.localdate())},
    )


def _list(
    request: HttpRequest, org: Organization, form: StartForm, status: int = 200
) -> HttpResponse:
    campaigns = (
        access.scoped(Campaign.objects.all(), org)
        .annotate(
            total=Count("questionnaires"),
            done=Count(
                "questionnaires",
                filter=Q(questionnaires__state__in=queries.DONE_STATES),
            ),
        )
        .order_by("-fiscal_year", "duty_id")
    )
    rows = [(c, fiscal_year_label(c.fiscal_year)) for c in campaigns]
    may_start = access.check(request.user, "inspections.manage", org).allowed
    context = {"rows": rows, "form": form, "may_start": may_start}
    return render(request, "inspections/campaign_list.html", context, status=status)


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    """The organisation's campaigns, newest year first, and the form to start one."""
    org, _person = member(request, "inspections.view")
    return _list(request, org, _start_form(org))


@login_required
@require_POST
def campaign_start(request: HttpRequest) -> HttpResponse:
    """Start a campaign; a refusal shows the list again with the reason."""
    org, _person = member(request, "inspections.manage")
    form = _start_form(org, request.POST)
    if form.is_valid():
        try:
            campaign = start_campaign(
                org,
                actor=request.user,
                duty_id=form.cleaned_data["duty"],
                fiscal_year=form.cleaned_data["fiscal_year"],
                scopes=form.cleaned_data["scopes"] or None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("自己点検を開始し、点検票を作成しました。"))
            return redirect("inspections:campaign", campaign.pk)
    return _list(request, org, form, status=400)


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign's questionnaires with who answers, who reviews, and where each stands."""
    org, _person = member(request, "inspections.view")
    campaign = _campaign(org, pk)
    questionnaires = campaign.questionnaires.select_related(
        "assignee", "reviewer", "department", "system"
    ).annotate(unanswered=Count("answers", filter=Q(answers__choice="")))
    pack = queries.campaign_pack(campaign)
    roles = {r.id: r.title for r in pack.roles}
    rows = list(questionnaires)
    for q in rows:
        q.assignee_role_title = roles.get(q.assignee_role, q.assignee_role)  # type: ignore[attr-defined]
    events = access_events(request, campaign)
    context = {
        "campaign": campaign,
        "year": fiscal_year_label(campaign.fiscal_year),
        "questionnaires": rows,
        "events": events,
        "stale": campaign.pack_digest != org.pack_digest,
        "diff": queries.item_diff(campaign),
    }
    return render(request, "inspections/campaign_detail.html", context)


def access_events(request: HttpRequest, campaign: Campaign) -> list[CampaignEvent]:
    """The campaign's next steps the user may take (集計の開始, 完了)."""
    from kitei.core.workflow import available_events  # noqa: PLC0415 - a small helper

    return [
        CampaignEvent(e.value)
        for e in available_events(campaign, table=CAMPAIGN_WORKFLOW, actor=request.user)
    ]


@login_required
@require_POST
def campaign_move(request: HttpRequest, pk: int) -> HttpResponse:
    """集計の開始 or 完了 of a campaign (inspections.manage)."""
    org, _person = member(request, "inspections.view")
    campaign = _campaign(org, pk)
    event = request.POST.get("event", "")
    try:
        move(campaign, event, actor=request.user, table=CAMPAIGN_WORKFLOW)
    except TransitionRefused as exc:
        messages.error(request, exc.messages[0])
    return redirect("inspections:campaign", campaign.pk)


@login_required
@require_GET
def campaign_rollup(request: HttpRequest, pk: int) -> HttpResponse:
    """Counts of each answer per questionnaire (課, system, person), per item and in all."""
    org, _person = member(request, "inspections.view")
    campaign = _campaign(org, pk)
    result = queries.rollup(campaign)
    pack = queries.campaign_pack(campaign)
    roles = {r.id: r.title for r in pack.roles} | {p.id: p.title for p in pack.parties}
    chains = [
        {
            "title": c.title,
            "steps": [
                {
                    "from": "、".join(roles.get(r, r) for r in s.from_),
                    "to": "、".join(roles.get(r, r) for r in s.to),
                    "timing": s.timing,
                    "clause": s.clause,
                    "quote": s.quote,
                    "source": s.source or pack.source,
                }
                for s in c.steps
            ],
        }
        for c in _result_chains(pack, campaign)
    ]
    context = {
        "campaign": campaign,
        "year": fiscal_year_label(campaign.fiscal_year),
        "rollup": result,
        "choices": queries.CHOICE_LABELS,
        "chains": chains,
    }
    return render(request, "inspections/rollup.html", context)


def _result_chains(pack: Any, campaign: Campaign) -> list[Any]:
    """The chains the results go up (event `inspection_result`): the duty's own
    (`<duty>-report`) when the pack has one, else every such chain."""
    chains = [c for c in pack.reporting if c.event == "inspection_result"]
    own = [c for c in chains if c.id.startswith(f"{campaign.duty_id}-")]
    return own or chains


@login_required
@require_http_methods(["GET"])
def mine(request: HttpRequest) -> HttpResponse:
    """The questionnaires waiting on the user: to answer, and to review."""
    org, person = member(request, "inspections.view")
    related = ("campaign",)
    context = {
        "to_answer": queries.waiting_for(person).select_related(*related),
        "to_review": queries.to_review(person).select_related(*related),
        "states": QuestionnaireState,
        "org": org,
    }
    return render(request, "inspections/mine.html", context)
