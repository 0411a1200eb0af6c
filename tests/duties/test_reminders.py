"""Reminders: one digest per person, of overdue duties and those inside the lead time."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core import mail

from kitei.cli import main
from kitei.core.models import ChangeRecord
from kitei.duties import orgsettings, reminders
from tests.conftest import SETUP


def _lead(org: Any, duty: str, value: str) -> None:
    orgsettings.set_setting(
        org,
        actor=SETUP,
        key=f"duty:{duty}:lead",
        value=value,
        basis="情報セキュリティ実施手順 第9条",
        decided_by="CISO",
        decided_on=date(2026, 4, 1),
    )


def test_without_a_lead_time_only_overdue_duties_are_reminded(mito: Any, ciso: Any) -> None:
    assert reminders.reminded(mito, date(2027, 3, 1)) == {}  # annual audit due 3/31: no lead
    _lead(mito, "annual-audit", "P30D")
    [(person, items)] = reminders.reminded(mito, date(2027, 3, 1)).items()
    assert person == ciso
    assert [o.duty.id for o in items] == ["annual-audit"]
    assert reminders.reminded(mito, date(2027, 2, 28)) == {}  # 31 days before: not yet


def test_one_mail_per_person_with_clause_and_quote_and_audited(mito: Any, ciso: Any) -> None:
    ciso.email = "gicho@example.jp"
    ciso.save(update_fields=["email"])
    _lead(mito, "annual-audit", "P30D")
    [digest] = reminders.send_digests(mito, actor=SETUP, today=date(2027, 3, 10))
    assert digest.sent
    [message] = mail.outbox
    assert message.to == ["gicho@example.jp"]
    assert "10-1(1)" in message.body
    assert "毎年度監査を行わせなければならない" in message.body
    assert "令和9年3月31日" in message.body
    assert ChangeRecord.objects.filter(action="send_duty_digest").count() == 1


def test_no_address_is_reported_not_sent(mito: Any, ciso: Any, capsys: Any) -> None:
    _lead(mito, "annual-audit", "P1Y")
    assert main(["duties", "remind", "--org", "mito"]) == 0
    out = capsys.readouterr().out
    assert "議長 太郎" in out
    assert "not sent" in out
    assert mail.outbox == []
    assert main(["duties", "remind", "--org", "nowhere"]) == 2
