"""The calendar, settings and training pages, the home page lines and the iCal feed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from icalendar import Calendar as ICalendar

from kitei.core.models import EvidenceFile
from kitei.core.tokens import create_api_token
from kitei.duties import schedule, services
from kitei.duties.models import DutyOccurrence, OrgSetting, TrainingSession
from tests.conftest import PASSWORD, PDF, SETUP, activate_totp, upload

pytestmark = pytest.mark.django_db


def client_for(person: Any) -> Client:
    client = Client()
    assert client.login(username=person.user.username, password=PASSWORD)
    return client


@pytest.fixture
def ciso_client(ciso: Any) -> Client:
    activate_totp(ciso)  # an administrative role
    return client_for(ciso)


def test_the_calendar_page_shows_the_fiscal_year_and_unset_intervals(
    mito: Any, suzuki: Any, systems: list[Any]
) -> None:
    page = client_for(suzuki).get("/duties/?year=2026")
    assert page.status_code == 200
    text = page.content.decode()
    assert "令和8年度の義務" in text
    assert "間隔未設定（定期的）" in text
    assert "取得したログを定期的に点検又は分析する機能を設け" in text
    assert "令和9年3月31日" in text  # the annual audit's due date in 和暦
    assert "議会ネットワーク" in text


def test_filters_narrow_by_scope_and_state(mito: Any, suzuki: Any, systems: list[Any]) -> None:
    client = client_for(suzuki)
    text = client.get("/duties/?year=2026&scope=system&state=interval_unset").content.decode()
    assert "取得したログの点検又は分析" in text
    assert "情報セキュリティ監査（毎年度）" not in text


def test_a_bad_year_is_told_in_japanese(mito: Any, suzuki: Any) -> None:
    for year in ("abc", "1800"):
        page = client_for(suzuki).get(f"/duties/?year={year}")
        assert page.status_code == 400
        assert "年度" in page.content.decode()


def test_the_responsible_person_completes_an_occurrence_with_evidence(
    mito: Any, ciso: Any, ciso_client: Client, evidence_dir: Any
) -> None:
    [audit] = [o for o in schedule.compute(mito, 2026).occurrences if o.duty.id == "annual-audit"]
    url = f"/duties/complete/?year=2026&key={audit.key}"
    assert "完了を記録する" in ciso_client.get(url).content.decode()
    refused = ciso_client.post(url, {"completed_on": "2026-11-30", "note": ""})
    assert refused.status_code == 400
    assert not DutyOccurrence.objects.exists()
    response = ciso_client.post(
        url,
        {
            "completed_on": "2026-11-30",
            "note": "監査の実施",
            "evidence_date": "2026-11-30",
            "file": upload("監査報告書.pdf", PDF),
        },
    )
    assert response.status_code == 302
    row = DutyOccurrence.objects.get()
    assert row.completed_by == ciso
    assert EvidenceFile.objects.get().original_name == "監査報告書.pdf"
    page = ciso_client.get("/duties/?year=2026").content.decode()
    assert "議長 太郎（2026-11-30）" in page


def test_someone_not_responsible_gets_no_completion(
    mito: Any, suzuki: Any, ciso: Any, evidence_dir: Any
) -> None:
    [audit] = [o for o in schedule.compute(mito, 2026).occurrences if o.duty.id == "annual-audit"]
    client = client_for(suzuki)
    assert "完了を記録" not in client.get("/duties/?year=2026&scope=organization").content.decode()
    response = client.post(
        f"/duties/complete/?year=2026&key={audit.key}",
        {"completed_on": "2026-11-30", "note": "x", "evidence_date": "2026-11-30",
         "file": upload("a.pdf", PDF)},
    )  # fmt: skip
    assert response.status_code == 403
    assert not DutyOccurrence.objects.exists()


def test_settings_page_shows_sources_and_only_managers_set(
    mito: Any, suzuki: Any, admin_ito: Any
) -> None:
    text = client_for(suzuki).get("/duties/settings/").content.decode()
    assert "ポリシー（シード）" in text
    assert "未設定" in text
    assert 'name="basis"' not in text
    data = {
        "key": "duty:log-review:interval",
        "value": "P1M",
        "basis": "情報セキュリティ実施手順 第5条",
        "decided_by": "CISO",
        "decided_on": "2026-04-01",
    }
    assert client_for(suzuki).post("/duties/settings/", data).status_code == 403
    activate_totp(admin_ito)
    admin = client_for(admin_ito)
    bad = admin.post("/duties/settings/", {**data, "value": "monthly"})
    assert bad.status_code == 400
    assert "ISO 8601" in bad.content.decode()
    assert admin.post("/duties/settings/", data).status_code == 302
    assert OrgSetting.objects.get().value == "P1M"
    assert "情報セキュリティ実施手順 第5条" in admin.get("/duties/settings/").content.decode()


def test_training_is_recorded_with_attendees_and_materials(
    mito: Any, ciso: Any, ciso_client: Client, suzuki: Any, evidence_dir: Any
) -> None:
    response = ciso_client.post(
        "/duties/training/",
        {"title": "情報セキュリティ研修", "held_on": "2026-06-01", "duty": "training",
         "attendees": [str(suzuki.pk)]},
    )  # fmt: skip
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert (session.clause, session.duty) == ("6-2(1)", "training")
    page = ciso_client.get(f"/duties/training/{session.pk}/").content.decode()
    assert "鈴木 花子" in page
    assert "令和8年6月1日" in page
    attached = ciso_client.post(
        f"/duties/training/{session.pk}/",
        {"evidence_date": "2026-06-01", "file": upload("教材.pdf", PDF)},
    )
    assert attached.status_code == 302
    assert EvidenceFile.objects.get().original_name == "教材.pdf"
    assert client_for(suzuki).post("/duties/training/", {"title": "x"}).status_code == 403


def test_home_page_lists_the_users_due_and_overdue_duties(
    mito: Any, ciso: Any, ciso_client: Client
) -> None:
    text = ciso_client.get("/").content.decode()
    assert "担当する年度の義務（実施期間中・期限超過）" in text
    due = [
        o
        for o in schedule.compute(mito, 2026).occurrences
        if ciso in o.responsible and o.state in ("open", "overdue")
    ]
    assert f"state=due&amp;person={ciso.pk}" in text
    listed = ciso_client.get(f"/duties/?year=2026&state=due&person={ciso.pk}")
    assert listed.content.decode().count('<tr id="occ-') == len(due)


def test_the_ical_feed_parses_and_cites_clause_and_quote(mito: Any, ciso: Any) -> None:
    activate_totp(ciso)
    _token, plain = create_api_token(ciso.user, actor=SETUP, organization=mito)
    response = Client().get(f"/duties/feed.ics?token={plain}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    feed = ICalendar.from_ical(response.content)
    events = list(feed.walk("VEVENT"))
    audit = next(e for e in events if "情報セキュリティ監査（毎年度）" in str(e["SUMMARY"]))
    assert audit.decoded("DTSTART") == date(2027, 3, 31)
    assert "10-1(1)" in str(audit["DESCRIPTION"])
    assert "毎年度監査を行わせなければならない" in str(audit["DESCRIPTION"])
    assert all("根拠: " in str(e["DESCRIPTION"]) for e in events)
    assert Client().get("/duties/feed.ics?token=wrong").status_code == 401
    assert Client().get("/duties/feed.ics").status_code == 401


def test_the_api_answers_the_cli_contract_for_the_tokens_organisation(
    mito: Any, ciso: Any, systems: list[Any], yamada: Any
) -> None:
    activate_totp(ciso)
    _token, plain = create_api_token(ciso.user, actor=SETUP, organization=mito)
    client = Client(headers={"Authorization": f"Bearer {plain}"})
    data = client.get("/api/duties/calendar?year=2026").json()
    assert (data["year"], data["start"], data["end"]) == (2026, "2026-04-01", "2027-03-31")
    assert "取得したログの点検又は分析" in {o["title"] for o in data["occurrences"]}
    mine = client.get(f"/api/duties/calendar?year=2026&state=due&person={ciso.pk}").json()
    assert {o["duty"] for o in mine["occurrences"]} == {"annual-audit"}
    assert client.get("/api/duties/calendar?year=1800").status_code == 422
    settings = {s["key"]: s for s in client.get("/api/duties/settings").json()}
    assert settings["parameter:log-retention"]["source"] == "seed"
    assert settings["duty:log-review:interval"]["source"] == "unset"


def test_per_department_filter_and_xlsx_export(
    mito: Any, suzuki: Any, somu: Any, systems: list[Any]
) -> None:
    import io  # noqa: PLC0415

    from openpyxl import load_workbook  # noqa: PLC0415

    client = client_for(suzuki)
    text = client.get(f"/duties/?year=2026&department={somu.pk}").content.decode()
    assert "議会ネットワーク" in text  # a system of 総務課
    assert "情報セキュリティ監査（毎年度）" not in text  # the organisation's, not the 課's
    response = client.get("/duties/export.xlsx?year=2026&scope=system")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "令和8年度"
    assert rows[0][:3] == ("義務", "根拠条項", "引用")
    assert {r[4] for r in rows[1:]} == {"system"}
    log = next(r for r in rows[1:] if r[0] == "取得したログの点検又は分析")
    assert (log[1], log[8], log[10]) == ("7-1(6)ウ", None, "間隔未設定")


def test_attendance_is_imported_on_the_session_page(
    mito: Any, ciso: Any, ciso_client: Client, suzuki: Any
) -> None:
    session = services.record_training(
        mito, actor=SETUP, title="eラーニング", held_on=date(2026, 7, 1), duty_id="training"
    )
    url = f"/duties/training/{session.pk}/"
    bad = ciso_client.post(url, {"attendance": upload("a.csv", "台帳番号\r\n999999\r\n".encode())})
    assert bad.status_code == 400
    assert "何も記録していません" in bad.content.decode()
    data = f"台帳番号,氏名\r\n{suzuki.pk},{suzuki.name}\r\n".encode()
    assert ciso_client.post(url, {"attendance": upload("a.csv", data)}).status_code == 302
    assert "鈴木 花子" in ciso_client.get(url).content.decode()
