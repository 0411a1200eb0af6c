"""Pages of the record books: the books, a book's entries, new entries and closing steps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kitei.approvals.models import Request
from kitei.core import access, evidence
from kitei.core.forms import EvidenceForm
from kitei.core.models import Organization
from kitei.people.models import Person
from kitei.records import exceptions, queries, services, takeouts
from kitei.records.books import Book, book_of, books_for
from kitei.records.forms import (
    COLUMN_PREFIX,
    MOMENTS,
    DisposalForm,
    EntryForm,
    ReturnForm,
    VisitForm,
)
from kitei.records.models import Awaiting, RecordEntry

PAGE_SIZE = 50


def _member(request: HttpRequest, permission: access.Permission) -> tuple[Organization, Person]:
    """The user's organisation and Person, after checking the permission there (403 otherwise)."""
    org = access.organization_of(request.user)
    access.require(request.user, permission, org)
    person = access.person_of(request.user)
    if org is None or not isinstance(person, Person):  # require() refused anyone else
        raise PermissionDenied(permission)
    return org, person


def _book(org: Organization, book_id: str) -> Book:
    """The organisation's book, or 404 (a book another pack has is not this one's)."""
    try:
        return book_of(org, book_id)
    except ValidationError:
        raise Http404(book_id) from None


def _entry(org: Organization, pk: int) -> RecordEntry:
    """One entry of the organisation, or 404 (also another organisation's)."""
    try:
        return queries.get_entry(org, pk)
    except RecordEntry.DoesNotExist:
        raise Http404(str(pk)) from None


@login_required
@require_GET
def book_list(request: HttpRequest) -> HttpResponse:
    """The organisation's record books, as its pack defines them, with their open entries."""
    org, _person = _member(request, "records.view")
    counts = {
        row["book"]: (row["total"], row["open"])
        for row in access.scoped(RecordEntry.objects.all(), org)
        .values("book")
        .annotate(total=Count("pk"), open=Count("pk", filter=queries.open_q()))
    }
    books = [(b, *counts.get(b.id, (0, 0))) for b in books_for(org)]
    overdue = queries.overdue_returns(org, timezone.localdate()).count()
    return render(request, "records/book_list.html", {"books": books, "overdue": overdue})


def _closing(entry: RecordEntry) -> str:
    """Which closing step the entry still offers on the page (none when closed)."""
    if not entry.is_open or getattr(entry, "superseded", False):
        return ""
    return str(entry.awaits)


def _shown(column: str, value: str) -> str:
    """A stored value as the page shows it: a moment in Japan time to the minute."""
    if column in MOMENTS and value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%Y-%m-%d %H:%M")
    return value


def _overdue(entry: RecordEntry, today: date) -> bool:
    """Whether a take-out is still out after its expected return."""
    due = entry.due_on
    return entry.is_open and entry.awaits == Awaiting.RETURN and due is not None and due < today


@login_required
@require_GET
def book_detail(request: HttpRequest, book: str) -> HttpResponse:
    """One book's entries, newest first, 50 a page; open ones offer their closing step."""
    org, person = _member(request, "records.view")
    return _book_page(request, org, person, book)


def _book_page(
    request: HttpRequest, org: Organization, person: Person, book: str, status: int = 200
) -> HttpResponse:
    """The page of one book (also shown again, with a refusal, after a closing step)."""
    spec = _book(org, book)
    open_only = request.GET.get("open") == "1"
    page = queries.entries_of(
        org, spec.id, page=request.GET.get("page") or 1, per_page=PAGE_SIZE, open_only=open_only
    )
    today = timezone.localdate()
    rows = [
        {
            "entry": e,
            "values": [_shown(c.id, e.fields.get(c.id, "")) for c in spec.fields],
            "closing": _closing(e),
            "overdue": _overdue(e, today),
        }
        for e in page.object_list
    ]
    attached = evidence.evidence_for(org, page.object_list)
    for row in rows:
        row["evidence"] = attached.get(row["entry"].pk, [])
    context = {
        "book": spec,
        "page": page,
        "rows": rows,
        "open_only": open_only,
        "can_write": access.check(request.user, "records.write", org).allowed,
        # 002 8-4(2)(3): the CISO receives the 事後報告 and reviews exceptions periodically.
        "can_receive_report": access.check(request.user, "exceptions.receive_report", org).allowed,
        "can_review": access.check(request.user, "exceptions.review", org).allowed,
        "person": person,
        "can_add": spec.purpose != "exception_review",
    }
    return render(request, "records/book_detail.html", context, status=status)


def _linked_request(org: Organization, request: HttpRequest) -> Request | None:
    """The request named by ?request= (or the POST), of this organisation; 404 otherwise."""
    raw = request.POST.get("request") or request.GET.get("request")
    if not raw:
        return None
    try:
        return access.scoped(Request.objects.select_related("asset", "system"), org).get(
            pk=int(raw)
        )
    except (ValueError, Request.DoesNotExist):
        raise Http404(raw) from None


@login_required
@require_http_methods(["GET", "POST"])
def entry_add(request: HttpRequest, book: str) -> HttpResponse:
    """Append an entry to a book: its columns from the pack, linked to a request if named."""
    org, person = _member(request, "records.write")
    spec = _book(org, book)
    if spec.purpose == "exception_review":
        raise Http404(book)
    if spec.purpose == "entry_log" and request.GET.get("visitor") != "0":
        return _visit_add(request, org, person, spec)
    linked = _linked_request(org, request)
    pending = spec.purpose == "disposal" and linked is not None
    form = EntryForm(
        request.POST or None, book=spec, pending=pending, initial=_initial(spec, linked)
    )
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.record_entry(
                org,
                actor=request.user,
                book=spec.id,
                recorded_by=person,
                fields=form.values(),
                request=linked,
                due_on=form.cleaned_data.get("due_on"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("「%(book)s」に記録しました。") % {"book": spec.title})
            if entry.person is not None and not entry.person.mail_address():
                # Honest: the overdue reminder is e-mail, and this borrower has no address.
                messages.warning(
                    request,
                    _(
                        "%(name)s にはメールアドレスが登録されていないため、返却予定日を"
                        "過ぎてもメールでのお知らせは届きません。"
                    )
                    % {"name": entry.person.name},
                )
            return redirect(reverse("records:book", args=[spec.id]) + f"#entry-{entry.pk}")
    status = 400 if request.method == "POST" else 200
    context = {"book": spec, "form": form, "linked": linked, "pending": pending}
    return render(request, "records/entry_form.html", context, status=status)


def _initial(book: Book, linked: Request | None) -> dict[str, object]:
    """A take-out's columns filled in advance: from the approved request, else now."""
    if book.purpose != "take_out":
        return {}
    planned = takeouts.defaults(book, {}, linked) if linked is not None else {}
    planned.setdefault("taken_at", takeouts.now_minute())
    initial: dict[str, object] = {COLUMN_PREFIX + k: v for k, v in planned.items()}
    if linked is not None and linked.planned_return_on is not None:
        initial["due_on"] = linked.planned_return_on
    return initial


def _visit_add(request: HttpRequest, org: Organization, person: Person, spec: Book) -> HttpResponse:
    """Enter a visitor and their escort in the entry log (002 5-2(2)ア・ウ)."""
    form = VisitForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.record_visit(
                org,
                actor=request.user,
                recorded_by=person,
                area=data["area"],
                visitor_name=data["visitor_name"],
                visitor_affiliation=data["visitor_affiliation"],
                escort=data["escort"],
                entered_at=data["entered_at"],
                left_at=data["left_at"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("入室を記録しました。"))
            return redirect(reverse("records:book", args=[spec.id]) + f"#entry-{entry.pk}")
    status = 400 if request.method == "POST" else 200
    context = {"book": spec, "form": form, "visit": True}
    return render(request, "records/entry_form.html", context, status=status)


def _close(
    request: HttpRequest, pk: int, step: Callable[[RecordEntry, Person], object], done: str
) -> HttpResponse:
    """Apply a closing step through the services; a refusal is shown in Japanese (400)."""
    org, person = _member(request, "records.write")
    entry = _entry(org, pk)
    try:
        step(entry, person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _book_page(request, org, person, entry.book, status=400)
    messages.success(request, done)
    return redirect(reverse("records:book", args=[entry.book]) + f"#entry-{entry.pk}")


@login_required
@require_POST
def entry_return(request: HttpRequest, pk: int) -> HttpResponse:
    """「返却を記録」: the taken-out asset came back (record_return)."""
    form = ReturnForm(request.POST)

    def step(entry: RecordEntry, person: Person) -> object:
        if not form.is_valid():
            raise ValidationError(_("返却日時の形式が正しくありません。"))
        returned_at = form.cleaned_data["returned_at"]
        return services.record_return(
            entry, actor=request.user, returned_by=person, returned_at=returned_at
        )

    return _close(request, pk, step, _("返却を記録しました。"))


@login_required
@require_POST
def entry_disposal(request: HttpRequest, pk: int) -> HttpResponse:
    """The disposal is done: 日時・担当者の氏名・処理内容 (complete_disposal)."""
    form = DisposalForm(request.POST)

    def step(entry: RecordEntry, person: Person) -> object:
        if not form.is_valid():
            raise ValidationError(_("処理内容を入力してください。"))
        processing = form.cleaned_data["processing"]
        return services.complete_disposal(
            entry, actor=request.user, done_by=person, processing=processing
        )

    return _close(request, pk, step, _("廃棄の処理を記録しました。"))


@login_required
@require_POST
def entry_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """A second person confirms the recorded work (confirm_work; 002 7-1(4)ウ)."""

    def step(entry: RecordEntry, person: Person) -> object:
        return services.confirm_work(entry, actor=request.user, confirmer=person)

    return _close(request, pk, step, _("作業を確認しました。"))


@login_required
@require_POST
def entry_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the person entered in the entry log left the area (record_leaving)."""

    def step(entry: RecordEntry, _person: Person) -> object:
        return services.record_leaving(entry, actor=request.user)

    return _close(request, pk, step, _("退室を記録しました。"))


@login_required
@require_POST
def entry_report(request: HttpRequest, pk: int) -> HttpResponse:
    """「事後報告の受領を記録」: the CISO received an emergency exception's report (8-4(2))."""

    def step(entry: RecordEntry, _person: Person) -> object:
        return exceptions.report_exception_afterwards(entry, actor=request.user)

    response = _close(request, pk, step, _("事後報告の受領を記録しました。"))
    if response.status_code == 302 and request.POST.get("back") == "inbox":
        return redirect(reverse("approvals:inbox") + "#reports")
    return response


@login_required
@require_POST
def entry_review(request: HttpRequest, pk: int) -> HttpResponse:
    """「定期確認を記録」: an exception's periodic review (002 8-4(3)); the service checks who."""
    note = request.POST.get("note", "").strip()

    def step(entry: RecordEntry, person: Person) -> object:
        if not note:
            raise ValidationError(_("確認の内容を入力してください。"))
        return exceptions.review_exception(entry, actor=request.user, reviewer=person, note=note)

    return _close(request, pk, step, _("例外措置の定期確認を記録しました。"))


@login_required
@require_http_methods(["GET", "POST"])
def entry_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """An entry's evidence files, and attaching one (e.g. a 廃棄 certificate; attach_evidence)."""
    org, _person = _member(request, "records.view")
    entry = _entry(org, pk)
    spec = _book(org, entry.book)
    posted = request.method == "POST"
    form = EvidenceForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            evidence.attach_evidence(
                org,
                actor=request.user,
                obj=entry,
                upload=data["file"],
                evidence_date=data["evidence_date"],
                description=data["description"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("証拠ファイルを添付しました。"))
            return redirect(reverse("records:evidence", args=[entry.pk]) + "#evidence")
    context = {
        "book": spec,
        "entry": entry,
        "values": [(c.title, _shown(c.id, entry.fields.get(c.id, ""))) for c in spec.fields],
        "files": evidence.evidence_for(org, [entry]).get(entry.pk, []),
        "form": form,
        "can_attach": access.check(request.user, "records.write", org).allowed
        and access.check(request.user, "evidence.attach", org).allowed,
        "action": reverse("records:evidence", args=[entry.pk]),
    }
    status = 400 if posted else 200
    return render(request, "records/entry_evidence.html", context, status=status)


def _whose(request: HttpRequest, org: Organization) -> Person | None:
    """The person `?person=` names (one of the organisation's), None without it; else 404."""
    value = request.GET.get("person", "")
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise Http404(value)
    return get_object_or_404(access.scoped(Person.objects.all(), org), pk=int(value))


def _take_outs(request: HttpRequest, *, overdue_only: bool) -> HttpResponse:
    """Take-outs still out (or only those past their return date), of one person if named.

    Each row says whether its borrower can be reminded: without an e-mail address nobody is.
    """
    org, _person = _member(request, "records.view")
    whose = _whose(request, org)
    today = timezone.localdate()
    pk = whose.pk if whose is not None else None
    entries = (
        queries.overdue_returns(org, today, person=pk)
        if overdue_only
        else queries.take_outs_out(org, person=pk)
    )
    titles = {b.id: b.title for b in books_for(org)}
    rows = [
        {
            "entry": e,
            "days": (today - e.due_on).days if e.due_on else 0,
            "overdue": _overdue(e, today),
            "book": titles[e.book],
            "address": e.person.mail_address() if e.person is not None else "",
        }
        for e in entries
    ]
    context = {"rows": rows, "today": today, "whose": whose, "overdue_only": overdue_only}
    return render(request, "records/overdue.html", context)


@login_required
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    """Take-outs whose expected return has passed and which are not yet returned."""
    return _take_outs(request, overdue_only=True)


@login_required
@require_GET
def returns(request: HttpRequest) -> HttpResponse:
    """Take-outs not yet returned, whether or not their expected return has passed."""
    return _take_outs(request, overdue_only=False)


@login_required
@require_GET
def book_export(request: HttpRequest, book: str) -> HttpResponse:
    """The book as .xlsx with Japanese headings (export_book)."""
    org, _person = _member(request, "records.view")
    spec = _book(org, book)
    content = queries.export_book(org, spec.id)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{spec.id}-{stamp}.xlsx"'
    return response
