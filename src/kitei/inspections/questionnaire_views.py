"""The questionnaire page: each item with its clause, quote, question, evidence and answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kitei.core import access, evidence
from kitei.core.fiscal import fiscal_year_label
from kitei.core.forms import EvidenceForm
from kitei.core.models import Organization
from kitei.core.tabular import UnreadableFileError
from kitei.core.workflow import TransitionRefused
from kitei.inspections import excel, queries, services
from kitei.inspections.choices import QuestionnaireEvent, Scope
from kitei.inspections.forms import AnswerForm, ReviewForm, UploadForm
from kitei.inspections.models import Answer, Questionnaire
from kitei.inspections.views import member
from kitei.inspections.workflow import QUESTIONNAIRE_WORKFLOW

PAGE_SIZE = 25


def may_view(user: Any, questionnaire: Questionnaire) -> bool:
    """A person's own アンケート is read by them, its reviewer and the managers only."""
    if questionnaire.scope != Scope.PERSON:
        return True
    return (
        services.is_holder(user, questionnaire)
        or services.is_reviewer(user, questionnaire)
        or access.check(user, "inspections.manage", questionnaire).allowed
    )


def _questionnaire(request: HttpRequest, org: Organization, pk: int) -> Questionnaire:
    """One questionnaire of the organisation the user may read, or 404."""
    found = get_object_or_404(
        access.scoped(Questionnaire.objects.select_related("campaign", "organization"), org),
        pk=pk,
    )
    if not may_view(request.user, found):
        raise Http404(str(pk))
    return found


def _page(
    request: HttpRequest,
    questionnaire: Questionnaire,
    *,
    failed: tuple[int, AnswerForm] | None = None,
    review_form: ReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    answers = questionnaire.answers.select_related("item", "delegated_to").order_by(
        "item__position"
    )
    page = Paginator(answers, PAGE_SIZE).get_page(request.GET.get("page"))
    shown: list[Answer] = list(page.object_list)
    evidence = queries.evidence_for(questionnaire, [a.item for a in shown])
    previous = queries.previous_answers(questionnaire)
    holder = services.is_holder(request.user, questionnaire)
    person = access.person_of(request.user)
    open_ = questionnaire.state in services.OPEN_STATES
    rows = []
    for answer in shown:
        editable = open_ and (
            holder or (person is not None and answer.delegated_to_id == person.pk)
        )
        form = None
        if editable:
            if failed is not None and failed[0] == answer.pk:
                form = failed[1]
            else:
                form = AnswerForm(
                    prefix=f"a{answer.pk}",
                    initial={
                        "choice": answer.choice,
                        "reason": answer.reason,
                        "plan": answer.plan,
                        "owner": answer.owner,
                        "due_on": answer.due_on,
                        "comment": answer.comment,
                    },
                )
        rows.append(
            {
                "answer": answer,
                "item": answer.item,
                "form": form,
                "evidence": evidence.get(answer.item_id, []),
                "previous": previous.get(answer.item.control_id),
            }
        )
    pack = queries.campaign_pack(questionnaire.campaign)
    roles = {r.id: r.title for r in pack.roles}
    reviewer = services.is_reviewer(request.user, questionnaire)
    context = {
        "q": questionnaire,
        "campaign": questionnaire.campaign,
        "year": fiscal_year_label(questionnaire.campaign.fiscal_year),
        "rows": rows,
        "page": page,
        "holder": holder,
        "reviewer": reviewer,
        "assignee_role": roles.get(questionnaire.assignee_role, ""),
        "reviewer_role": roles.get(questionnaire.reviewer_role, ""),
        "unanswered": questionnaire.answers.filter(choice="").count(),
        "may_submit": holder and questionnaire.state in ("answering", "returned"),
        "review_events": _review_events(questionnaire) if reviewer else [],
        "review_form": review_form or ReviewForm(),
    }
    return render(request, "inspections/questionnaire.html", context, status=status)


def _review_events(questionnaire: Questionnaire) -> list[QuestionnaireEvent]:
    allowed = {QuestionnaireEvent.CONFIRM, QuestionnaireEvent.RETURN, QuestionnaireEvent.REOPEN}
    table = QUESTIONNAIRE_WORKFLOW
    return [
        QuestionnaireEvent(e.value) for e in table.events_from(questionnaire.state) if e in allowed
    ]


@login_required
@require_GET
def questionnaire(request: HttpRequest, pk: int) -> HttpResponse:
    """A questionnaire, 25 items a page, with the answer form where the user may answer."""
    org, _person = member(request, "inspections.view")
    return _page(request, _questionnaire(request, org, pk))


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one item's answer; errors show the page again with that item's form."""
    org, _person = member(request, "inspections.view")
    row = get_object_or_404(
        access.scoped(Answer.objects.select_related("item", "questionnaire"), org), pk=pk
    )
    found = _questionnaire(request, org, row.questionnaire_id)
    form = AnswerForm(request.POST, prefix=f"a{row.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.answer_item(
                row,
                actor=request.user,
                choice=data["choice"],
                reason=data["reason"],
                plan=data["plan"],
                owner=data["owner"],
                due_on=data["due_on"],
                comment=data["comment"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("回答を保存しました。"))
            page = request.POST.get("page", "")
            url = reverse("inspections:questionnaire", args=[found.pk])
            return redirect(f"{url}?page={page}#item-{row.item_id}" if page else url)
    return _page(request, found, failed=(row.pk, form), status=400)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit the questionnaire for review (the role holder, every item answered)."""
    org, _person = member(request, "inspections.view")
    found = _questionnaire(request, org, pk)
    try:
        services.submit_questionnaire(found, actor=request.user)
    except (ValidationError, TransitionRefused) as exc:
        messages.error(request, exc.messages[0])
        return _page(request, found, status=400)
    messages.success(request, _("点検票を提出しました。"))
    return redirect("inspections:questionnaire", found.pk)


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, return or reopen (the reviewer; a reason to return or reopen)."""
    org, _person = member(request, "inspections.view")
    found = _questionnaire(request, org, pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        services.review_questionnaire(
            found,
            actor=request.user,
            event=request.POST.get("event", ""),
            reason=form.cleaned_data.get("reason", ""),
        )
    except (ValidationError, TransitionRefused) as exc:
        if hasattr(exc, "error_dict") and "reason" in exc.message_dict:
            form.add_error("reason", exc.message_dict["reason"])
        else:
            form.add_error(None, exc.messages[0])
        return _page(request, found, review_form=form, status=400)
    messages.success(request, _("点検票の状態を更新しました。"))
    return redirect("inspections:questionnaire", found.pk)


@login_required
@require_GET
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """The questionnaire as .xlsx, to fill offline and upload again."""
    org, _person = member(request, "inspections.view")
    found = _questionnaire(request, org, pk)
    response = HttpResponse(
        excel.export_questionnaire(found),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="questionnaire-{found.pk}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a filled sheet: 確認 checks every row; 取り込む writes only if none is wrong."""
    org, _person = member(request, "inspections.view")
    found = _questionnaire(request, org, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        dry_run = request.POST.get("apply") != "1"
        try:
            result = excel.import_answers(found, data, actor=request.user, dry_run=dry_run)
        except UnreadableFileError as exc:
            form.add_error("file", str(exc))
        else:
            if result.applied:
                messages.success(request, _("回答を取り込みました。"))
                return redirect("inspections:questionnaire", found.pk)
        status = 400 if form.errors or (result and result.errors) else 200
    elif request.method == "POST":
        status = 400
    context = {"q": found, "form": form, "result": result}
    return render(request, "inspections/upload.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def evidence_files(request: HttpRequest, pk: int) -> HttpResponse:
    """The questionnaire's evidence files (with the date each is evidence of); the role
    holder attaches one (kitei.core.evidence: append-only, SHA-256 in the audit trail)."""
    org, _person = member(request, "inspections.view")
    found = _questionnaire(request, org, pk)
    holder = services.is_holder(request.user, found)
    posted = request.method == "POST"
    form = EvidenceForm(request.POST if posted else None, request.FILES if posted else None)
    status = 200
    if posted:
        if not holder:
            raise services.refusal("証拠ファイルを添付できるのは、点検票の役割の保有者です。")
        if form.is_valid():
            data = form.cleaned_data
            try:
                evidence.attach_evidence(
                    org,
                    actor=request.user,
                    obj=found,
                    upload=data["file"],
                    evidence_date=data["evidence_date"],
                    description=data["description"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("証拠ファイルを添付しました。"))
                url = reverse("inspections:evidence", args=[found.pk])
                return redirect(url + "#evidence")
        status = 400
    context = {
        "q": found,
        "files": evidence.evidence_for(org, [found]).get(found.pk, []),
        "form": form,
        "can_attach": holder and access.check(request.user, "evidence.attach", org).allowed,
        "action": reverse("inspections:evidence", args=[found.pk]),
    }
    return render(request, "inspections/evidence.html", context, status=status)
