"""Overdue take-outs are reminded by e-mail to the borrower, by service and by CLI."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kitei.cli import main
from kitei.core.models import ChangeRecord
from kitei.records.notifications import remind_overdue_returns
from kitei.records.services import record_return
from tests.conftest import SETUP

from .conftest import recorded_take_out, with_email


@pytest.fixture
def lend(mito: Any, sato: Any, suzuki: Any, laptop: Any) -> Any:
    """suzuki's approved take-outs of the laptop, due `days_late` days ago, recorded."""

    def record(days_late: int, item: str = "", recorded_by: Any = None) -> Any:
        due = timezone.localdate() - timedelta(days=days_late)
        fields = {"item": item} if item else {}
        return recorded_take_out(
            mito, suzuki, sato, laptop, due=due, recorded_by=recorded_by, **fields
        )

    return record


@pytest.mark.django_db
def test_the_borrower_is_reminded_by_email(
    mito: Any, sato: Any, suzuki: Any, lend: Any, mailoutbox: list[Any]
) -> None:
    with_email(suzuki, "suzuki@example.jp")
    entry = lend(3, recorded_by=sato)  # suzuki applied: the borrower, whoever records it
    returned = lend(5, "返却済みの媒体")
    record_return(returned, actor=SETUP, returned_by=sato)
    lend(0, "今日が返却日")
    reminders = remind_overdue_returns(mito, actor=SETUP, today=timezone.localdate())
    assert [(r.entry.pk, r.borrower, r.days_overdue, r.sent) for r in reminders] == [
        (entry.pk, "鈴木 花子", 3, True)
    ]
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["suzuki@example.jp"]
    assert mail.subject == "【水戸市議会】返却予定日を過ぎています：議会用ノートパソコン"
    assert "返却予定日を3日過ぎています" in mail.body
    assert f"記録番号：{entry.number}" in mail.body
    assert "持出先：市民会館" in mail.body  # from the approved request
    record = ChangeRecord.objects.get(action="remind_return")
    assert record.object_id == str(entry.pk)
    assert '"to":"suzuki@example.jp"' in record.after


@pytest.mark.django_db
def test_a_borrower_without_an_address_is_listed_not_mailed(
    mito: Any, lend: Any, mailoutbox: list[Any]
) -> None:
    lend(1, "USBメモリ")
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
    lend: Any,
    toyama_cast: Any,
    capsys: Any,
    mailoutbox: list[Any],
) -> None:
    with_email(suzuki, "suzuki@example.jp")
    with_email(yamada, "yamada@example.jp")
    mine = lend(2, "USBメモリ")
    recorded_take_out(
        toyama, yamada, toyama_cast.chief, toyama_cast.drawings,
        due=timezone.localdate() - timedelta(days=4),
    )  # fmt: skip
    assert main(["records", "remind", "--org", "mito"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"mito\t{mine.number}\t鈴木 花子\t返却予定日 ")
    assert out[0].endswith("（2日超過）\tsent to suzuki@example.jp")
    assert out[-1] == "kitei: 1 overdue take-out(s)"
    assert [m.to for m in mailoutbox] == [["suzuki@example.jp"]]
    assert main(["records", "remind"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in lines[:-1]] == ["mito", "toyama"]
    assert len(mailoutbox) == 3
    assert main(["records", "remind", "--org", "nowhere"]) == 2
    assert "no organisation 'nowhere'" in capsys.readouterr().err
