"""State changes of the record books; each writes its ChangeRecord in the same transaction.

Books are append-only: an entry is inserted once. The only later change is its closing
step — the return of a take-out, the disposal done, the second person's confirmation, a
visitor leaving, an emergency exception reported afterwards — a conditional UPDATE of
`closed_at`/`closed_by` (and, for a disposal, of its then empty fields), so the same step
can never be recorded twice, even by two people at once. A correction is a new entry that
names the one it corrects.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.approvals.choices import RequestState
from kitei.approvals.models import Request
from kitei.assets.models import Asset
from kitei.assets.services import dispose_asset
from kitei.core import access, numbering
from kitei.core.models import Organization
from kitei.core.services import Actor, record_change
from kitei.people.models import Person
from kitei.policy import Effect
from kitei.records import takeouts
from kitei.records.books import (
    ACTIONS,
    DISPOSAL_FIELDS,
    Book,
    book_for_purpose,
    book_of,
    clean_fields,
    field_text,
)
from kitei.records.choices import RecordAuditAction
from kitei.records.models import Awaiting, RecordEntry

RECORDABLE = (RequestState.APPROVED, RequestState.PERMITTED, RequestState.COMPLETED)


def snapshot(entry: RecordEntry) -> dict[str, Any]:
    """The entry as recorded in the audit trail."""
    return {
        "book": entry.book,
        "number": entry.number,
        "fields": entry.fields,
        "recorded_by": entry.recorded_by.name,
        "request": entry.request_id,
        "due_on": entry.due_on,
        "awaits": entry.awaits,
        "person": entry.person.name if entry.person else "",
        "corrects": entry.corrects_id,
        "about": entry.about_id,
        "closed_at": entry.closed_at,
        "closed_by": entry.closed_by.name if entry.closed_by else "",
    }


def _member(organization: Organization, person: Person | None, what: str) -> None:
    if person is not None and person.organization_id != organization.pk:
        raise ValidationError(_("%sがこの組織の職員ではありません。") % what)


def _check_request(organization: Organization, book: Book, request: Request) -> None:
    """A linked request is this organisation's, allowed, and one this book records."""
    if request.organization_id != organization.pk:
        raise ValidationError(_("申請がこの組織にありません。"))
    named = set(request.stored_decision.record_books)
    if book.id not in named and ACTIONS.get(book.purpose) != request.action:
        raise ValidationError(
            _("申請（%(action)s）は記録簿「%(book)s」に記録するものではありません。")
            % {"action": request.action, "book": book.title}
        )
    if request.state not in RECORDABLE:
        raise ValidationError(
            _("承認または許可されていない申請（%(state)s）は記録できません。")
            % {"state": request.get_state_display()}
        )


def _check_correction(organization: Organization, book: Book, corrects: RecordEntry) -> None:
    if corrects.organization_id != organization.pk or corrects.book != book.id:
        raise ValidationError(_("訂正する記録がこの記録簿にありません。"))
    if corrects.corrections.exists():
        raise ValidationError(_("この記録は既に訂正されています。最新の記録を訂正してください。"))


def _awaits(
    book: Book,
    values: Mapping[str, str],
    request: Request | None,
    corrects: RecordEntry | None = None,
) -> Awaiting:
    """What a new entry of `book` still waits for."""
    if book.purpose == "take_out":
        return Awaiting.RETURN
    if book.purpose == "disposal" and not any(values.values()):
        return Awaiting.DISPOSAL  # opened before the disposal; complete_disposal fills it
    if book.confirmation is not None and _two_person_work(request):
        return Awaiting.CONFIRMATION  # 002 7-1(4)ウ
    if book.purpose == "entry_log" and not values.get("left_at"):
        return Awaiting.EXIT
    if book.purpose == "exception" and request is not None and request.context.get("emergency"):
        return _report_awaited(book, request, corrects)
    return Awaiting.NOTHING


def _two_person_work(request: Request | None) -> bool:
    """Whether the recorded work is one the pack's two-person rule binds (002 7-1(4)ウ).

    An entry with no request is; a request's stored decision says (the rule binds only the
    persons the clause names, not the 情報セキュリティ責任者's own change).
    """
    if request is None:
        return True
    return request.stored_decision.constraint("two_person_work") is not None


def _report_awaited(book: Book, request: Request, corrects: RecordEntry | None) -> Awaiting:
    """An emergency exception's 事後報告 (002 8-4(2)) is awaited on one entry only.

    That is the entry opened when the exception was filed (`open_emergency_report`), or its
    correction; a further document of the same exception awaits nothing.
    """
    if corrects is not None:
        return Awaiting(corrects.awaits)
    earlier = RecordEntry.objects.filter(request=request, book=book.id).exists()
    return Awaiting.NOTHING if earlier else Awaiting.REPORT


def _defaults(
    book: Book, fields: Mapping[str, object], request: Request | None
) -> dict[str, object]:
    """A take-out's empty columns come from the approved request (records.takeouts)."""
    if book.purpose == "take_out" and request is not None:
        return takeouts.defaults(book, fields, request)
    return dict(fields)


def _insert(
    organization: Organization,
    *,
    actor: Actor,
    action: RecordAuditAction,
    book: Book,
    recorded_by: Person,
    values: dict[str, str],
    request: Request | None = None,
    **columns: Any,
) -> RecordEntry:
    """Insert one entry and its ChangeRecord."""
    entry = RecordEntry.objects.create(
        organization=organization,
        book=book.id,
        number=numbering.next_number(organization, numbering.book_kind(book.id)),
        request=request,
        fields=values,
        recorded_by=recorded_by,
        **columns,
    )
    record_change(organization, actor=actor, action=action, obj=entry, after=snapshot(entry))
    return entry


@transaction.atomic
def record_entry(
    organization: Organization,
    *,
    actor: Actor,
    book: str,
    recorded_by: Person,
    fields: Mapping[str, object],
    request: Request | None = None,
    due_on: date | None = None,
    corrects: RecordEntry | None = None,
) -> RecordEntry:
    """Append an entry to a book of the organisation, every required field filled.

    A disposal entry may be opened with no fields at all (when the disposal is approved)
    and is filled by `complete_disposal`; one recorded whole disposes of its request's
    asset at once. A take-out needs its expected return (`due_on`, by default the request's
    返却予定日, never before the take-out) and, where the pack requires approval, its
    approved request. A correction keeps the closing of the entry it corrects.
    """
    access.require(actor, "records.write", organization)
    spec = book_of(organization, book)
    if spec.purpose == "exception_review":
        raise ValidationError(
            _("例外措置の状況の確認は、対象の例外措置の記録から記録してください。")
        )
    _member(organization, recorded_by, _("記録者"))
    if request is not None:
        _check_request(organization, spec, request)
    if corrects is not None:
        _check_correction(organization, spec, corrects)
    else:
        takeouts.require_request(organization, spec, recorded_by, request)
    takeouts.check_once(spec, request, corrects)
    fields = _defaults(spec, fields, request)
    pending_disposal = spec.purpose == "disposal" and not any(
        field_text(v) for v in fields.values()
    )
    values = clean_fields(spec, fields, partial=pending_disposal)
    if spec.purpose == "take_out":
        due_on = takeouts.due_on(due_on, request)
        if due_on is None:
            raise ValidationError(_("返却予定日を入力してください。"))
        takeouts.check_return(values, due_on)
    borrower = request.applicant if request is not None else recorded_by
    closed = corrects if corrects is not None and corrects.closed_at is not None else None
    entry = _insert(
        organization,
        actor=actor,
        action=RecordAuditAction.RECORD_ENTRY,
        book=spec,
        recorded_by=recorded_by,
        values=values,
        request=request,
        due_on=due_on,
        corrects=corrects,
        awaits=_awaits(spec, values, request, corrects),
        person=borrower if spec.purpose == "take_out" else None,
        closed_at=closed.closed_at if closed else None,
        closed_by=closed.closed_by if closed else None,
    )
    if spec.purpose == "disposal" and not pending_disposal:
        _disposal_done(entry, actor, _parsed(values.get("datetime", "")) or timezone.now())
    return entry


def _expect(entry: RecordEntry, awaits: Awaiting) -> None:
    """Refuse a closing step the entry's book does not have."""
    if entry.awaits != awaits:
        title = book_of(entry.organization, entry.book).title
        raise ValidationError(
            _("この記録（%(book)s）には「%(step)s」の手続はありません。")
            % {"book": title, "step": awaits.label}
        )


def _close(
    entry: RecordEntry,
    *,
    awaits: Awaiting,
    at: datetime,
    by: Person | None,
    fields: dict[str, str] | None = None,
) -> RecordEntry:
    """Record the entry's closing step once; a second attempt finds nothing to update."""
    _expect(entry, awaits)
    if entry.corrections.exists():
        raise ValidationError(_("この記録は訂正されています。訂正後の記録に記録してください。"))
    changes: dict[str, Any] = {"closed_at": at, "closed_by": by}
    if fields is not None:
        changes["fields"] = fields
    updated = RecordEntry.objects.filter(pk=entry.pk, closed_at__isnull=True).update(**changes)
    if not updated:
        raise ValidationError(
            _("この記録の「%(step)s」は既に記録されています。") % {"step": awaits.label}
        )
    entry.refresh_from_db()
    return entry


def _when(at: datetime | None) -> datetime:
    now = timezone.now()
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now:
        raise ValidationError(_("未来の日時は記録できません。"))
    return at


def _parsed(text: str) -> datetime | None:
    """A stored date-time field back as an aware datetime (None when it is not one)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _disposal_done(entry: RecordEntry, actor: Actor, at: datetime) -> None:
    """The disposal is done: the request's asset becomes 廃棄済み, the request completes.

    A correction of a disposal already done leaves the asset as the first entry marked it.
    """
    request = entry.request
    asset = request.asset if request is not None else None
    if (
        asset is not None
        and not Asset.objects.filter(pk=asset.pk, disposed_at__isnull=False).exists()
    ):
        dispose_asset(asset, actor=actor, at=at, entry=entry)
    _complete_request(entry, actor)


def _complete_request(entry: RecordEntry, actor: Actor) -> None:
    """The action the entry records is done: its approved or permitted request completes."""
    request = entry.request
    if request is None or request.state not in (RequestState.APPROVED, RequestState.PERMITTED):
        return
    from kitei.approvals.services import complete_request  # noqa: PLC0415 - approvals imports records

    complete_request(request, actor=actor)


def _closing(
    entry: RecordEntry, action: RecordAuditAction, actor: Actor, before: dict[str, Any]
) -> None:
    record_change(
        entry.organization,
        actor=actor,
        action=action,
        obj=entry,
        before=before,
        after=snapshot(entry),
    )


@transaction.atomic
def record_return(
    entry: RecordEntry, *, actor: Actor, returned_by: Person, returned_at: datetime | None = None
) -> RecordEntry:
    """Record that a taken-out asset came back (once); its request is then completed."""
    access.require(actor, "records.write", entry)
    _member(entry.organization, returned_by, _("返却者"))
    before = snapshot(entry)
    _close(entry, awaits=Awaiting.RETURN, at=_when(returned_at), by=returned_by)
    _closing(entry, RecordAuditAction.RECORD_RETURN, actor, before)
    _complete_request(entry, actor)
    return entry


@transaction.atomic
def complete_disposal(
    entry: RecordEntry, *, actor: Actor, done_by: Person, processing: str
) -> RecordEntry:
    """Fill 日時・担当者の氏名・処理内容 when the disposal is done (002 3(2)コ(イ)).

    The request's asset is then 廃棄済み in the register, and the request is completed.
    """
    access.require(actor, "records.write", entry)
    _member(entry.organization, done_by, _("担当者"))
    _expect(entry, Awaiting.DISPOSAL)
    book = book_of(entry.organization, entry.book)
    missing = [f for f in DISPOSAL_FIELDS if f not in {c.id for c in book.fields}]
    if missing:
        raise ValidationError(_("記録簿「%s」は廃棄の記録の項目を持ちません。") % book.title)
    at = timezone.now()
    values = clean_fields(
        book, {"datetime": at, "person_in_charge": done_by.name, "processing": processing}
    )
    before = snapshot(entry)
    _close(entry, awaits=Awaiting.DISPOSAL, at=at, by=done_by, fields=values)
    _closing(entry, RecordAuditAction.COMPLETE_DISPOSAL, actor, before)
    _disposal_done(entry, actor, at)
    return entry


@transaction.atomic
def confirm_work(entry: RecordEntry, *, actor: Actor, confirmer: Person) -> RecordEntry:
    """The second person confirms the recorded work (002 7-1(4)ウ: 2名以上、互いに確認)."""
    access.require(actor, "records.write", entry)
    _member(entry.organization, confirmer, _("確認者"))
    if confirmer.pk == entry.recorded_by_id:
        raise ValidationError(
            _(
                "作業の確認は、作業を記録した者とは別の者が行わなければなりません（2名以上で作業し、互いに確認）。"
            )
        )
    before = snapshot(entry)
    _close(entry, awaits=Awaiting.CONFIRMATION, at=timezone.now(), by=confirmer)
    _closing(entry, RecordAuditAction.CONFIRM_WORK, actor, before)
    _complete_request(entry, actor)
    return entry


def _may_escort(organization: Organization, escort: Person) -> None:
    """The escort may enter the area themselves (002 5-2(2)ウ: 入退室を許可された職員等)."""
    decision = access.decide(
        organization,
        {
            "action": "area.enter",
            "actor": {"roles": sorted(access.roles_held_by(escort))},
            "context": {"visitor": False},
        },
    )
    if decision.effect == Effect.FORBID:
        message = decision.reasons[0].message if decision.reasons else ""
        raise ValidationError(
            _("付添者（%(name)s）は管理区域への入退室を許可された者ではありません。%(why)s")
            % {"name": escort.name, "why": message}
        )


@transaction.atomic
def record_visit(
    organization: Organization,
    *,
    actor: Actor,
    recorded_by: Person,
    area: str,
    visitor_name: str,
    visitor_affiliation: str,
    escort: Person,
    entered_at: datetime,
    left_at: datetime | None = None,
) -> RecordEntry:
    """Enter a visitor and their escort in the entry log (002 5-2(2)ア・ウ)."""
    access.require(actor, "records.write", organization)
    book = book_for_purpose(organization, "entry_log")
    _member(organization, recorded_by, _("記録者"))
    if escort.organization_id != organization.pk:
        raise ValidationError(_("付添者はこの組織の職員でなければなりません。"))
    _may_escort(organization, escort)
    if left_at is not None and left_at < entered_at:
        raise ValidationError(_("退室日時が入室日時より前です。"))
    values = clean_fields(
        book,
        {
            "area": area,
            "name": visitor_name,
            "affiliation": visitor_affiliation,
            "escort": escort,
            "entered_at": entered_at,
            "left_at": left_at,
        },
    )
    if not values.get("affiliation"):
        raise ValidationError(_("訪問者の所属を入力してください。"))
    return _insert(
        organization,
        actor=actor,
        action=RecordAuditAction.RECORD_VISIT,
        book=book,
        recorded_by=recorded_by,
        values=values,
        awaits=Awaiting.EXIT if left_at is None else Awaiting.NOTHING,
        person=escort,
    )


@transaction.atomic
def record_leaving(
    entry: RecordEntry, *, actor: Actor, left_at: datetime | None = None
) -> RecordEntry:
    """Record when a person entered in the entry log left the area (once)."""
    access.require(actor, "records.write", entry)
    at = _when(left_at)
    entered = _parsed(entry.fields.get("entered_at", ""))
    if entered is not None and at < entered:
        raise ValidationError(_("退室日時が入室日時より前です。"))
    before = snapshot(entry)
    _close(entry, awaits=Awaiting.EXIT, at=at, by=None)
    _closing(entry, RecordAuditAction.RECORD_LEAVING, actor, before)
    return entry
