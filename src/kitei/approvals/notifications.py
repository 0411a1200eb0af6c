"""E-mail about requests: to the approvers when a step waits on them, to the applicant when decided.

Plain-text Japanese mail through Django's mail (the console backend in the demo). The
services send only after their transaction commits, so a refused or rolled-back change
never mails anyone.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from kitei.approvals.choices import RequestState
from kitei.approvals.models import ApprovalStep, Request
from kitei.approvals.queries import action_title, step_approvers
from kitei.core import access
from kitei.people.models import Person

RECEIVE_REPORT = "exceptions.receive_report"


def address_of(person: Person) -> str:
    """The person's e-mail address (the register's, else the account's), or ""."""
    if person.email:
        return person.email
    user = person.user
    return str(getattr(user, "email", "") or "") if user is not None else ""


def _subject_of(request: Request) -> str:
    target = request.asset or request.system
    about = f"「{target}」" if target is not None else ""
    return f"{action_title(request)}{about}（申請番号 {request.number}）"


def _summary(request: Request) -> list[str]:
    lines = [
        f"申請番号: {request.number}",
        f"申請者: {request.applicant.name}",
        f"操作: {action_title(request)}",
    ]
    if request.asset is not None:
        lines.append(f"情報資産: {request.asset.name}")
    if request.system is not None:
        lines.append(f"情報システム: {request.system.name}")
    lines.append(f"申請理由: {request.reason}")
    if request.planned_take_out_at is not None:  # a take-out: the approver judges by these
        out = timezone.localtime(request.planned_take_out_at).strftime("%Y-%m-%d %H:%M")
        back = request.planned_return_on.isoformat() if request.planned_return_on else ""
        lines += [
            f"持出先: {request.destination}",
            f"目的: {request.purpose}",
            f"持出予定日時: {out}",
            f"返却予定日: {back}",
        ]
    for reason in request.stored_decision.reasons:
        lines.append(f"根拠: {reason.clause} {reason.message}".rstrip())
    return lines


def _send(recipients: Iterable[Person], subject: str, body: str) -> int:
    """One message per recipient (no one sees the others' addresses); returns the number."""
    messages = [
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
        for address in sorted({address_of(p) for p in recipients} - {""})
    ]
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0


def notify_step_waiting(request: Request, step: ApprovalStep) -> int:
    """Tell everyone who may decide `step` that it waits on them."""
    people = step_approvers(request, step)
    roles = "・".join(str(r["title"]) for r in step.roles)
    gap = request.state == RequestState.GAP
    lines = [
        "kitei からのお知らせです。",
        "",
        (
            "規程に定めのない申請です。情報政策担当として判断してください。"
            if gap
            else f"次の申請が承認を待っています（{roles}）。"
        ),
        "",
        *_summary(request),
        "",
        "kitei の「承認待ち」から内容を確認し、承認または却下してください。",
    ]
    prefix = "【規程に定めなし】" if gap else "【承認依頼】"
    return _send(people, prefix + _subject_of(request), "\n".join(lines))


def notify_decided(request: Request) -> int:
    """Tell the applicant that their request was approved or rejected."""
    verdict = request.get_state_display()
    latest = request.steps.filter(approvals__isnull=False).order_by("-position").first()
    comment = ""
    if latest is not None:
        last = latest.approvals.order_by("-at", "-pk").first()
        comment = last.comment if last is not None else ""
    lines = [
        "kitei からのお知らせです。",
        "",
        f"あなたの申請は「{verdict}」となりました。",
        "",
        *_summary(request),
    ]
    if comment:
        lines.append(f"コメント: {comment}")
    if request.overridden:
        lines.append("注意: 職務分離の例外（止むを得ない場合）により承認されました。")
    return _send([request.applicant], f"【{verdict}】" + _subject_of(request), "\n".join(lines))


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


def notify_report_awaited(request: Request) -> int:
    """Tell the receivers that an emergency exception was taken and its 事後報告 awaits them."""
    lines = [
        "kitei からのお知らせです。",
        "",
        "緊急時の例外措置が講じられました（事前の許可なし）。",
        "事後報告を受け、kitei の「承認待ち」から受領を記録してください。",
        "",
        *_summary(request),
    ]
    return _send(report_receivers(request), "【事後報告】" + _subject_of(request), "\n".join(lines))
