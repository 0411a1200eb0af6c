"""The incident pages: filing, the steps with clause and quote, acknowledging, triage, the
timeline (append only), need-to-know (404 for others, reads in the audit trail), home line."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kitei.core.models import ChangeRecord
from kitei.incidents.choices import StepState
from kitei.incidents.models import Incident, TimelineEntry
from tests.conftest import PASSWORD, make_org, make_person

from .conftest import file_as


def client_for(person: Any) -> Client:
    client = Client()
    assert client.login(username=person.user.username, password=PASSWORD)
    return client


def _now() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


def test_staff_files_and_the_manager_acknowledges_opening_the_ciso_step(cast: Any) -> None:
    staff = client_for(cast["suzuki"])
    page = staff.get(reverse("incidents:file"))
    assert page.status_code == 200
    assert "情報セキュリティインシデント" in page.content.decode()
    response = staff.post(
        reverse("incidents:file"),
        {
            "kind": "incident",
            "title": "不審なメール",
            "description": "添付ファイルを開いてしまった。",
            "detected_at": _now(),
            "source": "internal",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:detail", args=[incident.pk])
    html = staff.get(response["Location"]).content.decode()
    assert "6-3(1)ア" in html
    assert "速やかに情報セキュリティ管理者及び市長公室デジタルイノベーション課に報告" in html
    assert "佐藤 一郎" in html
    manager = client_for(cast["sato"])
    home = manager.get("/", follow=True).content.decode()
    assert "受領を記録していないインシデントの報告" in home
    step = incident.steps.get(role="information_security_manager")
    assert "受領を記録する" in manager.get(response["Location"]).content.decode()
    manager.post(reverse("incidents:acknowledge", args=[step.pk]))
    step.refresh_from_db()
    assert step.state == StepState.ACKNOWLEDGED
    ciso = incident.steps.get(role="ciso")
    assert ciso.state == StepState.SENT
    assert "受領を記録する" in client_for(cast["gicho"]).get(response["Location"]).content.decode()
    # the staff member cannot acknowledge the CISO's report
    staff.post(reverse("incidents:acknowledge", args=[ciso.pk]))
    ciso.refresh_from_db()
    assert ciso.state == StepState.SENT


def test_bad_filing_is_a_japanese_message_and_nothing_written(cast: Any) -> None:
    staff = client_for(cast["suzuki"])
    response = staff.post(reverse("incidents:file"), {"kind": "incident", "title": ""})
    assert response.status_code == 400
    assert 'id="id_title_error"' in response.content.decode()
    assert Incident.objects.count() == 0


def test_restricted_incident_is_404_off_the_chain_and_reads_are_recorded(
    mito: Any, cast: Any, other: Any
) -> None:
    incident = file_as(cast["suzuki"], flags=["personal_data"])
    url = reverse("incidents:detail", args=[incident.pk])
    assert client_for(other).get(url).status_code == 404
    assert incident.title not in client_for(other).get(reverse("incidents:list")).content.decode()
    assert client_for(cast["sato"]).get(url).status_code == 200  # a recipient
    assert client_for(cast["suzuki"]).get(url).status_code == 200  # the reporter
    reads = ChangeRecord.objects.filter(organization=mito, action="read_incident")
    assert {r.actor_id for r in reads} == {cast["sato"].user.pk, cast["suzuki"].user.pk}
    plain = file_as(cast["suzuki"], title="個人情報なし")
    assert client_for(other).get(reverse("incidents:detail", args=[plain.pk])).status_code == 200
    assert reads.count() == 2  # reads of a plain incident are not recorded as restricted


def test_another_organisations_incident_is_404(cast: Any) -> None:
    incident = file_as(cast["suzuki"])
    toyama = make_org("toyama", "toyama-kankoji-kumiai", "富山市管工事協同組合")
    stranger = make_person(toyama, "yamada", "山田 三郎", roles=("union_members",))
    client = client_for(stranger)
    assert client.get(reverse("incidents:detail", args=[incident.pk])).status_code == 404
    step = incident.steps.first()
    assert client.post(reverse("incidents:acknowledge", args=[step.pk])).status_code == 404


def test_timeline_is_append_only_and_corrections_name_the_entry(cast: Any, csirt: Any) -> None:
    incident = file_as(cast["suzuki"])
    client = client_for(csirt)
    url = reverse("incidents:add_entry", args=[incident.pk])
    client.post(url, {"kind": "containment", "event_at": _now(), "text": "LANケーブルを抜いた"})
    first = TimelineEntry.objects.get(incident=incident)
    client.post(
        url,
        {"kind": "correction", "event_at": _now(), "text": "無線LANも停止", "corrects": first.pk},
    )
    correction = TimelineEntry.objects.get(kind="correction")
    assert correction.corrects == first
    client.post(url, {"kind": "evidence", "event_at": _now(), "text": "<b>ログ</b>"})
    html = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert f"記録 {first.pk} の訂正: 無線LANも停止" in html
    assert "&lt;b&gt;ログ&lt;/b&gt;" in html
    first.refresh_from_db()
    assert first.text == "LANケーブルを抜いた"
    import pytest  # noqa: PLC0415

    with pytest.raises(RuntimeError):
        first.save()
    with pytest.raises(RuntimeError):
        first.delete()
    records = ChangeRecord.objects.filter(action="add_timeline_entry", object_id=str(correction.pk))
    assert json.loads(records.get().after)["corrects"] == first.pk


def test_triage_buttons_cite_the_clause_and_dismiss_needs_a_reason(cast: Any, csirt: Any) -> None:
    incident = file_as(cast["suzuki"])
    client = client_for(csirt)
    detail = reverse("incidents:detail", args=[incident.pk])
    html = client.get(detail).content.decode()
    assert "評価を始める" in html
    assert "6-3(2)ア" in html
    assert "評価を始める" not in client_for(cast["suzuki"]).get(detail).content.decode()
    move = reverse("incidents:move", args=[incident.pk])
    client.post(move, {"event": "start_triage"})
    client.post(move, {"event": "dismiss", "reason": ""})
    incident.refresh_from_db()
    assert incident.state == "triage"
    client.post(move, {"event": "dismiss", "reason": "訓練メールだった"})
    incident.refresh_from_db()
    assert incident.state == "not_incident"


def test_basic_policy_filing_is_manual_with_the_page_text(db: None) -> None:
    org = make_org("gamagori", "gamagori-city", "蒲郡市")
    staff = make_person(org, "staff1", "職員 一")
    client = client_for(staff)
    page = client.get(reverse("incidents:file")).content.decode()
    assert "パックに含まれていない情報セキュリティ対策基準" in page
    assert "1.6(7)" in page
    assert "迅速かつ適正に対応するため、緊急時対応計画を策定する" in page
    response = client.post(
        reverse("incidents:file"),
        {
            "title": "庁舎PCの故障",
            "description": "起動しない",
            "detected_at": _now(),
            "source": "internal",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert incident.manual
    assert incident.steps.count() == 0
    html = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "手動で連絡" in html
    assert "1.9" in html


def test_prevention_measure_raised_from_the_page_is_listed(cast: Any, csirt: Any) -> None:
    from kitei.incidents import services  # noqa: PLC0415
    from kitei.incidents.choices import IncidentEvent  # noqa: PLC0415

    incident = file_as(cast["suzuki"])
    for event in (IncidentEvent.START_TRIAGE, IncidentEvent.RESPOND, IncidentEvent.RECOVER):
        services.move_incident(incident, event, actor=csirt.user)
    services.move_incident(
        incident,
        IncidentEvent.REPORT_PREVENTION,
        actor=csirt.user,
        prevention="手順の見直し",
        cause="確認漏れ",
    )
    client = client_for(csirt)
    client.post(
        reverse("incidents:prevention", args=[incident.pk]),
        {"title": "持出し手順の改訂", "owner": cast["sato"].pk, "due": ""},
    )
    html = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert "持出し手順の改訂" in html
    assert "佐藤 一郎" in html


def test_horizontal_check_from_the_page(
    mito: Any, cast: Any, csirt: Any, council_system: Any
) -> None:
    from kitei.incidents import services  # noqa: PLC0415
    from kitei.incidents.choices import IncidentEvent  # noqa: PLC0415

    incident = file_as(cast["suzuki"])
    services.move_incident(incident, IncidentEvent.START_TRIAGE, actor=csirt.user)
    services.move_incident(incident, IncidentEvent.RESPOND, actor=csirt.user)
    step = incident.steps.get(clause="6-3(2)ウ", role="information_system_manager")
    client = client_for(csirt)
    html = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert f'id="systems-{step.pk}"' in html
    client.post(
        reverse("incidents:decide", args=[step.pk]),
        {"report": "yes", "reason": "同じ構成", "systems": [council_system.pk]},
    )
    sent = incident.steps.get(clause="6-3(2)ウ", system=council_system)
    assert sent.state == StepState.SENT
    assert [p.name for p in sent.recipients.all()] == ["加藤 管理"]


def test_home_count_is_the_list_it_opens(cast: Any) -> None:
    import re  # noqa: PLC0415

    for n in range(2):
        file_as(cast["suzuki"], title=f"件名{n}")
    manager = client_for(cast["sato"])
    home = manager.get("/", follow=True).content.decode()
    assert "受領を記録していないインシデントの報告" in home
    listed = manager.get(reverse("incidents:list") + "?waiting=me").content.decode()
    assert len(re.findall(r'<tr id="incident-\d+"', listed)) == 2
    step = Incident.objects.get(title="件名0").steps.get(role="information_security_manager")
    manager.post(reverse("incidents:acknowledge", args=[step.pk]))
    listed = manager.get(reverse("incidents:list") + "?waiting=me").content.decode()
    assert len(re.findall(r'<tr id="incident-\d+"', listed)) == 1


def test_policy_office_records_manual_reports_for_a_basic_policy_pack(db: None) -> None:
    from kitei.incidents.manual import MANUAL  # noqa: PLC0415
    from tests.conftest import activate_totp  # noqa: PLC0415

    org = make_org("shinagawa", "shinagawa-city", "品川区")
    staff = make_person(org, "staff1", "職員 一")
    admin = make_person(org, "policy", "情報 政策", is_org_admin=True)
    activate_totp(admin)
    incident = file_as(staff, kind="")
    assert incident.manual
    client = client_for(admin)
    url = reverse("incidents:detail", args=[incident.pk])
    assert 'id="manual-step"' in client.get(url).content.decode()
    assert 'id="manual-step"' not in client_for(staff).get(url).content.decode()
    client.post(reverse("incidents:manual", args=[incident.pk]), {"to": "", "means": "phone"})
    assert incident.steps.count() == 0
    client.post(
        reverse("incidents:manual", args=[incident.pk]), {"to": "区長（電話）", "means": "phone"}
    )
    step = incident.steps.get()
    assert (step.party, step.to_title, step.state, step.clause) == (
        MANUAL,
        "区長（電話）",
        StepState.SENT,
        "第6条第8号",
    )
    assert "手動で連絡" in client.get(url).content.decode()
