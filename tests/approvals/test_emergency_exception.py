"""Emergency exceptions (002 8-4): only the 情報セキュリティ管理者 acts first and reports after.

8-4(2) 「情報セキュリティ管理者は、議会運営の遂行に緊急を要する等の場合であって、例外措置を
講じることが避けられないときは、事後速やかに CIS0 に報告しなければならない」: anyone else
ticking 緊急時 follows 8-4(1) (the CISO's permission first). The 事後報告 waits in the CISO's
inbox and on their home page until the CISO records receiving it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client

from kitei.approvals import queries
from kitei.approvals.models import RequestState
from kitei.core.models import ChangeRecord
from kitei.records import queries as record_queries
from kitei.records.exceptions import report_exception_afterwards
from kitei.records.models import Awaiting, RecordEntry
from kitei.records.services import record_entry
from tests.conftest import SETUP

from ..conftest import PASSWORD, activate_totp
from .conftest import file

pytestmark = pytest.mark.django_db

EMERGENCY = {"emergency": True}
REASON = "災害対応のため、庁外から議会情報システムに接続する必要があった"


def _client(person: Any) -> Client:
    """Logged in as the person (both CISO and 管理者 are administrative roles: TOTP)."""
    activate_totp(person)
    client = Client()
    assert client.login(username=person.user.get_username(), password=PASSWORD)
    return client


def _received(org: Any, entry: RecordEntry) -> list[ChangeRecord]:
    return list(
        ChangeRecord.objects.filter(
            organization=org,
            action="report_exception_afterwards",
            object_type="records.recordentry",
            object_id=str(entry.pk),
        )
    )


def test_an_ordinary_member_ticking_emergency_needs_the_cisos_permission_first(
    mito: Any, suzuki: Any, gicho: Any
) -> None:
    request = file(mito, suzuki, "exception.request", context=EMERGENCY, reason=REASON)
    assert request.state == RequestState.PENDING  # not 許可（承認不要）
    assert [[r["id"] for r in s["roles"]] for s in request.decision["approvals"]] == [["ciso"]]
    reasons = request.decision["reasons"]
    assert [r["clause"] for r in reasons] == ["8-4(1)"]
    assert "情報セキュリティ管理者に限られる" in reasons[0]["message"]
    assert "情報セキュリティ管理者は" in reasons[0]["quote"]
    # Nothing is taken yet, so nothing awaits a 事後報告; the CISO decides it as a request.
    assert not RecordEntry.objects.filter(request=request).exists()
    assert list(record_queries.awaiting_report(mito)) == []
    assert list(queries.inbox_for(gicho)) == [request]


def test_the_managers_emergency_exception_waits_in_the_cisos_inbox_until_received(
    mito: Any, sato: Any, gicho: Any, django_capture_on_commit_callbacks: Any
) -> None:
    gicho.email = "gicho@example.jp"
    gicho.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        request = file(mito, sato, "exception.request", context=EMERGENCY, reason=REASON)
    assert request.state == RequestState.PERMITTED
    assert [r["clause"] for r in request.decision["reasons"]] == ["8-4(2)"]
    [entry] = RecordEntry.objects.filter(request=request)
    assert (entry.book, entry.awaits, entry.fields) == (
        "exception-documents",
        Awaiting.REPORT,
        {"background": REASON},
    )
    [message] = mail.outbox  # the CISO is told at once
    assert message.to == ["gicho@example.jp"]
    assert message.subject.startswith("【事後報告】")
    assert "申請者: 佐藤 一郎" in message.body
    assert "8-4(2)" in message.body

    ciso = _client(gicho)
    inbox = ciso.get("/approvals/inbox/").content.decode()
    section = inbox.split('id="reports"')[1].split("</section>")[0]
    assert "事後報告の受領待ち" in section
    assert f'id="report-{entry.pk}"' in section
    assert "佐藤 一郎" in section
    assert "事後報告の受領を記録" in section
    assert 'id="inbox-count"' in ciso.get("/approvals/inbox/count/").content.decode()
    home = ciso.get("/").content.decode()
    figure = home.split('id="waiting-reports"')[1].split("</li>")[0]
    assert "受領を待っている事後報告" in figure
    assert 'href="/approvals/inbox/#reports"' in figure
    assert '<span class="n">1</span>' in figure
    # The one who took it is not the receiver: no such section or figure for them.
    manager = _client(sato)
    assert 'id="reports"' not in manager.get("/approvals/inbox/").content.decode()
    assert 'id="waiting-reports"' not in manager.get("/").content.decode()


def test_only_the_ciso_records_receiving_it_and_the_receipt_is_audited(
    mito: Any, sato: Any, gicho: Any
) -> None:
    request = file(mito, sato, "exception.request", context=EMERGENCY, reason=REASON)
    entry = RecordEntry.objects.get(request=request)
    with pytest.raises(PermissionDenied, match="8-4\\(2\\)"):
        report_exception_afterwards(entry, actor=sato.user)
    refused = _client(sato).post(f"/records/entries/{entry.pk}/report/", {"back": "inbox"})
    assert refused.status_code == 403
    assert "最高情報セキュリティ責任者" in refused.content.decode()
    entry.refresh_from_db()
    assert entry.is_open
    assert _received(mito, entry) == []

    ciso = _client(gicho)
    response = ciso.post(f"/records/entries/{entry.pk}/report/", {"back": "inbox"})
    assert response.status_code == 302
    assert response["Location"] == "/approvals/inbox/#reports"
    entry.refresh_from_db()
    assert not entry.is_open
    assert entry.closed_by == gicho
    [record] = _received(mito, entry)
    assert (record.actor_id, record.actor_name) == (gicho.user.pk, "gicho")
    assert json.loads(record.before)["closed_by"] == ""
    assert json.loads(record.after)["closed_by"] == gicho.name
    assert list(record_queries.awaiting_report(mito)) == []
    assert f'id="report-{entry.pk}"' not in ciso.get("/approvals/inbox/").content.decode()
    figure = ciso.get("/").content.decode().split('id="waiting-reports"')[1].split("</li>")[0]
    assert '<span class="n">0</span>' in figure


def test_a_corrected_report_entry_is_awaited_once(mito: Any, sato: Any, gicho: Any) -> None:
    request = file(mito, sato, "exception.request", context=EMERGENCY, reason=REASON)
    opened = RecordEntry.objects.get(request=request)
    corrected = record_entry(
        mito,
        actor=SETUP,
        book=opened.book,
        recorded_by=sato,
        fields={"background": REASON + "（接続先を訂正）"},
        request=request,
        corrects=opened,
    )
    assert corrected.awaits == Awaiting.REPORT
    assert list(record_queries.awaiting_report(mito)) == [corrected]
    report_exception_afterwards(corrected, actor=gicho.user)
    assert list(record_queries.awaiting_report(mito)) == []
