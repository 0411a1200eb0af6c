"""E-mail about requests: to the approvers when a step waits on them, to the applicant when decided.

Plain-text Japanese mail through Django's mail (the console backend by default, files under
the data folder in the demo). A notification is composed when the service decides it
(`Letter`: whom it is for, subject, body) and handed to the mail backend only after the
transaction commits, so a refused or rolled-back change never mails anyone.

Mail goes out in the site's language (`LANGUAGE_CODE`, Japanese), not in the language of the
page that caused it: the person who files in English mails a 課長 who reads Japanese.

Every notification says whom it reached: its `Notice` lists the people a message was queued
to (they have an address) and those without an address, who are not told. The pages say
so (`describe`) instead of claiming that everyone was told; a page collects the notices of
the service it calls with `collecting()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import get_language, override, pgettext_lazy
from django.utils.translation import gettext as _

from kitei.approvals.choices import RequestState
from kitei.approvals.models import ApprovalStep, Request
from kitei.approvals.queries import action_title, step_approvers
from kitei.core import access
from kitei.people.models import Person

RECEIVE_REPORT = "exceptions.receive_report"


class Audience(models.TextChoices):
    """Who a notification is for, as the page names them."""

    # The context keeps these apart from the same words as column headings elsewhere.
    APPROVERS = "approvers", pgettext_lazy("notified", "承認者")
    POLICY_OFFICE = "policy_office", pgettext_lazy("notified", "情報政策担当")
    APPLICANT = "applicant", pgettext_lazy("notified", "申請者")
    REPORT_RECEIVERS = "report_receivers", pgettext_lazy("notified", "事後報告の受領者")


@dataclass(frozen=True, kw_only=True)
class Notice:
    """Whom one notification reached: a message queued to each of `reached`, none to the rest."""

    audience: Audience
    reached: tuple[Person, ...] = ()
    without_address: tuple[Person, ...] = ()

    @property
    def addresses(self) -> list[str]:
        """The addresses the messages go to, one message each, sorted."""
        return sorted({p.mail_address() for p in self.reached})


@dataclass(frozen=True, kw_only=True)
class Letter:
    """A notification ready to go: its notice (whom it is for), subject and body."""

    notice: Notice
    subject: str
    body: str

    def messages(self) -> list[EmailMessage]:
        """One message per address: no one sees the others' addresses."""
        return [
            EmailMessage(self.subject, self.body, settings.DEFAULT_FROM_EMAIL, [address])
            for address in self.notice.addresses
        ]


_COLLECTED: ContextVar[list[Notice] | None] = ContextVar("kitei_notices", default=None)


@contextmanager
def collecting() -> Iterator[list[Notice]]:
    """Collect the notices of the notifications queued inside the block (for the page)."""
    notices: list[Notice] = []
    token = _COLLECTED.set(notices)
    try:
        yield notices
    finally:
        _COLLECTED.reset(token)


def _notice(audience: Audience, people: Iterable[Person]) -> Notice:
    """Split the people into those a message can be queued to and those without an address."""
    unique = list({p.pk: p for p in people}.values())
    return Notice(
        audience=audience,
        reached=tuple(p for p in unique if p.mail_address()),
        without_address=tuple(p for p in unique if not p.mail_address()),
    )


def send_now(letter: Letter) -> Notice:
    """Hand the letter's messages to the mail backend at once (reminders, inside their record)."""
    messages = letter.messages()
    if messages:
        get_connection().send_messages(messages)
    return letter.notice


def send_on_commit(letter: Letter) -> Notice:
    """Queue the letter's messages for when the transaction commits; note it for the page."""
    collected = _COLLECTED.get()
    if collected is not None:
        collected.append(letter.notice)
    messages = letter.messages()
    if messages:
        transaction.on_commit(lambda: get_connection().send_messages(messages))
    return letter.notice


def describe(notice: Notice) -> str:
    """What the page says about a notification: whom it reached, and who has no address."""
    who = str(notice.audience.label)
    missing = "、".join(p.name for p in notice.without_address)
    if not notice.reached and not notice.without_address:
        return _("通知する%(who)sがいません（役割の割当てを確認してください）。") % {"who": who}
    if not notice.reached:
        return _(
            "%(who)s（%(names)s）にメールアドレスが登録されていないため、通知できませんでした。"
        ) % {"who": who, "names": missing}
    told = _("%(who)s %(n)d 名に通知しました。") % {"who": who, "n": len(notice.reached)}
    if not notice.without_address:
        return told
    space = "" if (get_language() or "ja").startswith("ja") else " "
    return (
        told
        + space
        + _("%(names)s にはメールアドレスが登録されていないため、通知できませんでした。")
        % {"names": missing}
    )


def _subject_of(request: Request) -> str:
    target = request.asset or request.system
    about = _("「%(target)s」") % {"target": target} if target is not None else ""
    return _("%(action)s%(about)s（申請番号 %(number)s）") % {
        "action": action_title(request),
        "about": about,
        "number": request.number,
    }


def _line(label: str, value: object) -> str:
    return _("%(label)s: %(value)s") % {"label": label, "value": value}


def _summary(request: Request) -> list[str]:
    lines = [
        _line(_("申請番号"), request.number),
        _line(_("申請者"), request.applicant.name),
        _line(_("操作"), action_title(request)),
    ]
    if request.asset is not None:
        lines.append(_line(_("情報資産"), request.asset.name))
    if request.system is not None:
        lines.append(_line(_("情報システム"), request.system.name))
    lines.append(_line(_("申請理由"), request.reason))
    if request.planned_take_out_at is not None:  # a take-out: the approver judges by these
        out = timezone.localtime(request.planned_take_out_at).strftime("%Y-%m-%d %H:%M")
        back = request.planned_return_on.isoformat() if request.planned_return_on else ""
        lines += [
            _line(_("持出先"), request.destination),
            _line(_("目的"), request.purpose),
            _line(_("持出予定日時"), out),
            _line(_("返却予定日"), back),
        ]
    for reason in request.stored_decision.reasons:
        lines.append(_line(_("根拠"), f"{reason.clause} {reason.message}").rstrip())
    return lines


def step_waiting(request: Request, step: ApprovalStep) -> Letter:
    """The letter telling everyone who may decide `step` that it waits on them."""
    with override(settings.LANGUAGE_CODE):
        return _step_waiting(request, step)


def _step_waiting(request: Request, step: ApprovalStep) -> Letter:
    people = step_approvers(request, step)
    roles = "・".join(str(r["title"]) for r in step.roles)
    gap = request.state == RequestState.GAP
    lines = [
        _("kitei からのお知らせです。"),
        "",
        (
            _("規程に定めのない申請です。情報政策担当として判断してください。")
            if gap
            else _("次の申請が承認を待っています（%(roles)s）。") % {"roles": roles}
        ),
        "",
        *_summary(request),
        "",
        _("kitei の「承認待ち」から内容を確認し、承認または却下してください。"),
    ]
    prefix = _("【規程に定めなし】") if gap else _("【承認依頼】")
    return Letter(
        notice=_notice(Audience.POLICY_OFFICE if gap else Audience.APPROVERS, people),
        subject=prefix + _subject_of(request),
        body="\n".join(lines),
    )


def decided(request: Request) -> Letter:
    """The letter telling the applicant that their request was approved or rejected."""
    with override(settings.LANGUAGE_CODE):
        return _decided(request)


def _decided(request: Request) -> Letter:
    verdict = request.get_state_display()
    latest = request.steps.filter(approvals__isnull=False).order_by("-position").first()
    comment = ""
    if latest is not None:
        last = latest.approvals.order_by("-at", "-pk").first()
        comment = last.comment if last is not None else ""
    lines = [
        _("kitei からのお知らせです。"),
        "",
        _("あなたの申請は「%(verdict)s」となりました。") % {"verdict": verdict},
        "",
        *_summary(request),
    ]
    if comment:
        lines.append(_line(_("コメント"), comment))
    if request.overridden:
        lines.append(_("注意: 職務分離の例外（止むを得ない場合）により承認されました。"))
    return Letter(
        notice=_notice(Audience.APPLICANT, [request.applicant]),
        subject=_("【%(verdict)s】") % {"verdict": verdict} + _subject_of(request),
        body="\n".join(lines),
    )


def report_receivers(request: Request) -> list[Person]:
    """Who may receive the request's 事後報告 today: holders of the pack's grant (002: CISO)."""
    organization = request.organization
    grants = access.grants_of(organization).by_permission.get(RECEIVE_REPORT, ())
    roles = {g.role_id for g in grants}
    people = (
        Person.objects.filter(organization=organization, assignments__role_id__in=roles)
        .select_related("user")
        .distinct()
    )
    return [
        p
        for p in people.order_by("name", "pk")
        if p.user is not None and access.check(p.user, RECEIVE_REPORT, organization).allowed
    ]


def report_awaited(request: Request) -> Letter:
    """The letter telling the receivers that an emergency exception awaits its 事後報告."""
    with override(settings.LANGUAGE_CODE):
        lines = [
            _("kitei からのお知らせです。"),
            "",
            _("緊急時の例外措置が講じられました（事前の許可なし）。"),
            _("事後報告を受け、kitei の「承認待ち」から受領を記録してください。"),
            "",
            *_summary(request),
        ]
        return Letter(
            notice=_notice(Audience.REPORT_RECEIVERS, report_receivers(request)),
            subject=_("【事後報告】") + _subject_of(request),
            body="\n".join(lines),
        )
