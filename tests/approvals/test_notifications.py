"""E-mail: approvers hear when a step waits on them, the applicant when their request is decided."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from kitei.people.models import Person

from ..conftest import first_number
from .conftest import approve, file, reject

pytestmark = pytest.mark.django_db


def _addressed(person: Person, email: str) -> Person:
    person.email = email
    person.save(update_fields=["email"])
    return person


@pytest.fixture
def addressed(
    suzuki: Any, sato: Any, kobayashi: Any, *, gicho: Any, kato: Any, ito: Any
) -> dict[str, Any]:
    """The cast with e-mail addresses (kato's comes from his account)."""
    kato.user.email = "kato@example.jp"
    kato.user.save(update_fields=["email"])
    return {
        "suzuki": _addressed(suzuki, "suzuki@example.jp"),
        "sato": _addressed(sato, "sato@example.jp"),
        "kobayashi": _addressed(kobayashi, "kobayashi@example.jp"),
        "gicho": _addressed(gicho, "gicho@example.jp"),
        "kato": kato,
        "ito": _addressed(ito, "ito@example.jp"),
    }


def _sent() -> list[tuple[list[str], str]]:
    return [(m.to, m.subject) for m in mail.outbox]


def test_the_approver_is_told_and_then_the_applicant(
    mito: Any,
    addressed: dict[str, Any],
    minutes: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request = file(mito, addressed["suzuki"], "asset.take_out", asset=minutes, reason="出張")
    [message] = mail.outbox
    assert message.to == ["sato@example.jp"]
    title = "情報資産・モバイル端末・電磁的記録媒体・ソフトウェアの持ち出し"
    assert request.number == first_number()  # the organisation's first this year (R8-0001)
    assert message.subject == f"【承認依頼】{title}「会議録の写し」（申請番号 {first_number()}）"
    assert "情報セキュリティ管理者" in message.body
    assert "申請者: 鈴木 花子" in message.body
    assert "申請理由: 出張" in message.body
    # what the approver judges a take-out by (tests.conftest.take_out_plan)
    out = timezone.localtime(request.planned_take_out_at).strftime("%Y-%m-%d %H:%M")
    assert "持出先: 市民会館" in message.body
    assert "目的: 会議資料の説明" in message.body
    assert f"持出予定日時: {out}" in message.body
    assert f"返却予定日: {request.planned_return_on.isoformat()}" in message.body
    assert "6-1(1)ウ(イ)" in message.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approve(request, addressed["sato"], comment="返却を忘れずに")
    [message] = mail.outbox
    assert message.to == ["suzuki@example.jp"]
    assert message.subject.startswith("【承認済み】")
    assert "「承認済み」" in message.body
    assert "コメント: 返却を忘れずに" in message.body


def test_each_step_is_announced_when_it_starts_waiting(
    mito: Any,
    addressed: dict[str, Any],
    council_system: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        request = file(mito, addressed["suzuki"], "system.delegate_admin", system=council_system)
    assert [to for to, _ in _sent()] == [["kobayashi@example.jp"]]
    with django_capture_on_commit_callbacks(execute=True):
        approve(request, addressed["kobayashi"])
    assert [to for to, _ in _sent()][1:] == [["gicho@example.jp"]]
    with django_capture_on_commit_callbacks(execute=True):
        reject(request, addressed["gicho"], comment="不適当")
    to, subject = _sent()[-1]
    assert to == ["suzuki@example.jp"]
    assert subject.startswith("【却下】")


def test_an_all_of_step_mails_each_approver_separately(
    mito: Any,
    addressed: dict[str, Any],
    council_system: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        file(mito, addressed["suzuki"], "device.install_software", system=council_system)
    assert sorted(to[0] for to, _ in _sent()) == ["kato@example.jp", "kobayashi@example.jp"]
    assert all(len(to) == 1 for to, _ in _sent())  # nobody sees the others' addresses


def test_a_gap_is_mailed_to_the_policy_office(
    mito: Any,
    addressed: dict[str, Any],
    minutes: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        file(mito, addressed["suzuki"], "asset.transport", asset=minutes)
    [message] = mail.outbox
    assert message.to == ["ito@example.jp"]
    assert message.subject.startswith("【規程に定めなし】")
    assert "情報政策担当として判断" in message.body


def test_nothing_is_mailed_for_a_refused_attempt(
    mito: Any,
    addressed: dict[str, Any],
    minutes: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    request = file(mito, addressed["suzuki"], "asset.take_out", asset=minutes)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception, match="権限"):
        approve(request, addressed["kobayashi"])
    assert mail.outbox == []


def test_the_override_is_flagged_in_the_mail(
    mito: Any,
    addressed: dict[str, Any],
    minutes: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    request = file(mito, addressed["sato"], "asset.take_out", asset=minutes)
    with django_capture_on_commit_callbacks(execute=True):
        approve(request, addressed["sato"], override_reason="止むを得ないため")
    [message] = mail.outbox
    assert "職務分離の例外" in message.body


def test_mail_goes_out_in_the_site_language_not_the_page_language(
    mito: Any,
    addressed: dict[str, Any],
    minutes: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from django.utils import translation  # noqa: PLC0415

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        file(mito, addressed["suzuki"], "asset.take_out", asset=minutes, reason="出張")
    [japanese] = mail.outbox
    assert japanese.subject.startswith("【承認依頼】")
    assert "申請者: 鈴木 花子" in japanese.body
    settings.LANGUAGE_CODE = "en"  # a site run in English mails in English
    with django_capture_on_commit_callbacks(execute=True):
        file(mito, addressed["suzuki"], "asset.take_out", asset=minutes, reason="研修")
    english = mail.outbox[1]
    assert english.subject.startswith("[Approval needed] ")
    assert "A message from kitei." in english.body
    assert "Applicant: 鈴木 花子" in english.body
    assert "申請者" not in english.body
