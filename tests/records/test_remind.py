"""Overdue take-outs are reminded by e-mail to the borrower, by service and by CLI."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kitei.cli import main
from kitei.core.models import ChangeRecord
from kitei.records.books import TAKE_OUT
from kitei.records.notifications import remind_overdue_returns
from kitei.records.services import record_entry, record_return
from tests.conftest import SETUP

from .conftest import with_email


def _take_out(org: Any, by: Any, days_late: int, item: str, request: Any = None) -> Any:
    return record_entry(
        org,
        actor=SETUP,
        book=TAKE_OUT,
        recorded_by=by,
        fields={
            "item": item,
            "destination": "市民会館",
            "purpose": "会議",
            "taken_at": "2026-11-01",
        },
        request=request,
        due_on=timezone.localdate() - timedelta(days=days_late),
    )


@pytest.mark.django_db
def test_the_borrower_is_reminded_by_email(
    mito: Any, sato: Any, suzuki: Any, take_out: Any, mailoutbox: list[Any]
) -> None:
    with_email(suzuki, "suzuki@example.jp")
    entry = _take_out(mito, sato, 3, "", request=take_out)  # suzuki applied: the borrower
    returned = _take_out(mito, sato, 5, "返却済みの媒体")
    record_return(returned, actor=SETUP, returned_by=sato)
    _take_out(mito, sato, 0, "今日が返却日")
    reminders = remind_overdue_returns(mito, actor=SETUP, today=timezone.localdate())
    assert [(r.entry.pk, r.borrower, r.days_overdue, r.sent) for r in reminders] == [
        (entry.pk, "鈴木 花子", 3, True)
    ]
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["suzuki@example.jp"]
    assert mail.subject == "【水戸市議会】返却予定日を過ぎています：議会用ノートパソコン"
    assert "返却予定日を3日過ぎています" in mail.body
    assert f"記録番号：{entry.pk}" in mail.body
    record = ChangeRecord.objects.get(action="remind_return")
    assert record.object_id == str(entry.pk)
    assert '"to":"suzuki@example.jp"' in record.after


@pytest.mark.django_db
def test_a_borrower_without_an_address_is_listed_not_mailed(
    mito: Any, suzuki: Any, mailoutbox: list[Any]
) -> None:
    _take_out(mito, suzuki, 1, "USBメモリ")
    [reminder] = remind_overdue_returns(mito, actor=SETUP, today=timezone.localdate())
    assert not reminder.sent
    assert reminder.problem == "メールアドレスが登録されていません"
    assert mailoutbox == []
    assert not ChangeRecord.objects.filter(action="remind_return").exists()


@pytest.mark.django_db
def test_kitei_records_remind_prints_a_line_per_reminder(
    mito: Any,
    toyama: Any,
    suzuki: Any,
    *,
    yamada: Any,
    capsys: Any,
    mailoutbox: list[Any],
) -> None:
    with_email(suzuki, "suzuki@example.jp")
    with_email(yamada, "yamada@example.jp")
    mine = _take_out(mito, suzuki, 2, "USBメモリ")
    _take_out(toyama, yamada, 4, "図面")
    assert main(["records", "remind", "--org", "mito"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"mito\t#{mine.pk}\t鈴木 花子\t返却予定日 ")
    assert out[0].endswith("（2日超過）\tsent to suzuki@example.jp")
    assert out[-1] == "kitei: 1 overdue take-out(s)"
    assert [m.to for m in mailoutbox] == [["suzuki@example.jp"]]
    assert main(["records", "remind"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines[:-1]] == ["mito", "toyama"]
    assert len(mailoutbox) == 3
    assert main(["records", "remind", "--org", "nowhere"]) == 2
    assert "no organisation 'nowhere'" in capsys.readouterr().err
