"""Honest notifications: a page says someone was told only when a message was queued to them.

mito: `suzuki` files, `sato` (情報セキュリティ管理者 of 総務課) decides; in this module
nobody has an address unless the test gives one.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from kitei.approvals import notifications
from kitei.approvals.models import Request
from kitei.people.models import Person

from ..conftest import PASSWORD, activate_totp, make_person
from .conftest import file

pytestmark = pytest.mark.django_db

FORM = {
    "action": "asset.take_out",
    "encrypted": "on",
    "reason": "委員会資料の作成",
    "obligations": ["business-purpose-only"],
    "destination": "議会棟 第1委員会室",
    "purpose": "委員会での説明",
    "take_out_at": "2026-12-10T09:00",
    "return_on": "2026-12-11",
}


def client_for(person: Any) -> Client:
    client = Client()
    assert client.login(username=person.user.username, password=PASSWORD)
    return client


def _address(person: Person, email: str) -> None:
    Person.objects.filter(pk=person.pk).update(email=email)


def _messages(response: Any) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in response.context["messages"]]


def test_filing_names_the_approver_it_could_not_tell_and_mails_nobody(
    suzuki: Any, sato: Any, roster: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(suzuki).post(
            "/approvals/new/", {**FORM, "asset": roster.pk}, follow=True
        )
    assert Request.objects.count() == 1
    assert _messages(response) == [
        (
            "warning",
            "申請しました。承認者（佐藤 一郎）にメールアドレスが登録されていないため、"
            "通知できませんでした。",
        )
    ]
    assert mail.outbox == []


def test_filing_counts_the_approvers_a_message_was_queued_to(
    mito: Any, somu: Any, suzuki: Any, sato: Any, *, roster: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    _address(sato, "sato@example.jp")
    # A second 管理者 of 総務課 without an address is named, the one with one counted.
    make_person(mito, "mori2", "森 二郎", roles=("information_security_manager",),
                department=somu)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(suzuki).post(
            "/approvals/new/", {**FORM, "asset": roster.pk}, follow=True
        )
    [(level, text)] = _messages(response)
    assert level == "warning"
    assert text == (
        "申請しました。承認者 1 名に通知しました。"
        "森 二郎 にはメールアドレスが登録されていないため、通知できませんでした。"
    )
    assert [m.to for m in mail.outbox] == [["sato@example.jp"]]


def test_everyone_reached_is_a_plain_success(
    suzuki: Any, sato: Any, roster: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _address(sato, "sato@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(suzuki).post(
            "/approvals/new/", {**FORM, "asset": roster.pk}, follow=True
        )
    assert _messages(response) == [("success", "申請しました。承認者 1 名に通知しました。")]
    assert len(mail.outbox) == 1


def test_a_decision_says_whether_the_applicant_was_told(
    mito: Any, suzuki: Any, sato: Any, roster: Any, django_capture_on_commit_callbacks: Any
) -> None:
    activate_totp(sato)
    request = file(mito, suzuki, "asset.take_out", asset=roster)
    manager = client_for(sato)
    response = manager.post(f"/approvals/{request.pk}/approve/", {"comment": ""}, follow=True)
    assert _messages(response) == [
        (
            "warning",
            "承認しました。申請者（鈴木 花子）にメールアドレスが登録されていないため、"
            "通知できませんでした。",
        )
    ]
    second = file(mito, suzuki, "asset.take_out", asset=roster, reason="出張")
    suzuki.user.email = "suzuki@example.jp"  # the account's address is used too
    suzuki.user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"/approvals/{second.pk}/reject/", {"comment": "不要"}, follow=True)
    assert _messages(response) == [("success", "却下しました。申請者 1 名に通知しました。")]
    assert [m.to for m in mail.outbox] == [["suzuki@example.jp"]]


def test_a_refused_filing_tells_nobody(
    suzuki: Any, sato: Any, roster: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _address(sato, "sato@example.jp")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(suzuki).post(
            "/approvals/new/", {"action": "asset.take_out", "asset": roster.pk, "reason": "x"}
        )  # obligations not confirmed: refused, nothing filed
    assert response.status_code == 400
    assert not Request.objects.exists()
    assert mail.outbox == []


def test_describe_says_when_there_is_nobody_to_tell() -> None:
    notice = notifications.Notice(audience=notifications.Audience.APPROVERS)
    assert notifications.describe(notice) == (
        "通知する承認者がいません（役割の割当てを確認してください）。"
    )
