"""The audit pages: plan, appoint (a refusal shows the verdict and its clauses), record,
raise a finding, submit its plan as the owner, issue and seal; another organisation's 404."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from kitei.audits.models import Appointment, Audit, Finding
from kitei.corrective.models import CorrectiveAction

from ..conftest import PDF, make_org, make_person, upload
from .conftest import client_for, programme

pytestmark = pytest.mark.django_db


def test_the_lead_plans_an_audit_on_the_programme_page(mito: Any, somu: Any, tanaka: Any) -> None:
    client = client_for(tanaka)
    assert client.post("/audits/", {"fiscal_year": "2026"}).status_code == 302
    page = client.get("/audits/year/2026/")
    assert "令和8年度" in page.content.decode()
    response = client.post(
        "/audits/year/2026/",
        {
            "title": "総務課の監査",
            "kind": "internal",
            "departments": [somu.pk],
            "criteria": "10-1(1)|毎年度監査を行わせなければならない\n持出しの記録を確認する",
            "methods": ["documents", "on_site"],
        },
    )
    assert response.status_code == 302
    audit = Audit.objects.get()
    assert audit.criteria == [
        {"clause": "10-1(1)", "quote": "毎年度監査を行わせなければならない"},
        {"id": "2", "text": "持出しの記録を確認する"},
    ]
    assert audit.pack_digest == mito.pack_digest
    detail = client.get(f"/audits/{audit.pk}/").content.decode()
    assert "書類の確認" in detail


def test_a_refused_appointment_shows_the_verdict_with_its_clause(
    somu_audit: Any, suzuki: Any, tanaka: Any
) -> None:
    client = client_for(tanaka)
    response = client.post(f"/audits/{somu_audit.pk}/appoint/", {"appoint-person": suzuki.pk})
    assert response.status_code == 400
    page = response.content.decode()
    assert "10-1(2)ア" in page
    assert "被監査部門から独立した者に対して" in page
    assert "指名できません" in page
    assert not Appointment.objects.exists()
    ok = client.post(
        f"/audits/{somu_audit.pk}/appoint/", {"appoint-person": tanaka.pk, "appoint-is_lead": "on"}
    )
    assert ok.status_code == 302
    assert "適合" in client.get(f"/audits/{somu_audit.pk}/").content.decode()


def test_finding_to_plan_through_the_pages_and_the_seal(
    *, mito: Any, somu: Any, sato: Any, tanaka: Any, somu_audit: Any, evidence_dir: Path
) -> None:
    lead = client_for(tanaka)
    assert (
        lead.post(f"/audits/{somu_audit.pk}/appoint/", {"appoint-person": tanaka.pk}).status_code
        == 302
    )
    assert lead.post(f"/audits/{somu_audit.pk}/start/").status_code == 302
    assert (
        lead.post(
            f"/audits/{somu_audit.pk}/paper/", {"paper-item": "1", "paper-text": "確認"}
        ).status_code
        == 302
    )
    attached = lead.post(
        f"/audits/{somu_audit.pk}/evidence/",
        {"evidence_date": timezone.localdate().isoformat(), "file": upload("記録.pdf", PDF)},
    )
    assert attached.status_code == 302
    raised = lead.post(
        f"/audits/{somu_audit.pk}/finding/",
        {
            "finding-kind": "minor",
            "finding-title": "掲示",
            "finding-department": somu.pk,
            "finding-clause": "6-4(1)",
        },
    )
    assert raised.status_code == 302
    finding = Finding.objects.get()
    owner = client_for(sato)
    assert "掲示" in owner.get("/audits/findings/?mine=1").content.decode()
    planned = owner.post(
        f"/audits/findings/{finding.pk}/plan/",
        {"plan-plan": "撤去する", "plan-actions": "付箋の撤去|2027-01-31\n周知"},
    )
    assert planned.status_code == 302
    assert CorrectiveAction.objects.filter(source_id=finding.pk).count() == 2
    refused = lead.post(f"/audits/findings/{finding.pk}/close/", {})
    assert refused.status_code == 400
    assert "確認済でない是正措置" in refused.content.decode()
    issued = lead.post(f"/audits/{somu_audit.pk}/issue/", {"report-report": "監査の結果"})
    assert issued.status_code == 302
    after = lead.post(
        f"/audits/{somu_audit.pk}/evidence/",
        {"evidence_date": timezone.localdate().isoformat(), "file": upload("後.pdf", PDF)},
    )
    assert after.status_code == 400
    assert "封印" in after.content.decode()


def test_another_organisations_audit_and_finding_are_404(somu_audit: Any, tanaka: Any) -> None:
    other = make_org("other", "mito-city-council", "別の議会")
    boss = make_person(other, "boss", "別 組織", is_org_admin=True)
    from kitei.audits import services  # noqa: PLC0415
    from kitei.people.services import create_department  # noqa: PLC0415

    dept = create_department(other, actor=boss.user, name="別課")
    theirs = services.plan_audit(
        programme(other), actor=boss.user, title="他組織の監査", kind="internal", departments=[dept]
    )
    assert client_for(tanaka).get(f"/audits/{theirs.pk}/").status_code == 404


def test_a_member_without_audits_view_sees_no_audit(somu_audit: Any, suzuki: Any) -> None:
    client = client_for(suzuki)
    assert client.get(f"/audits/{somu_audit.pk}/").status_code == 404
    assert client.get("/audits/year/2026/").status_code == 403


def test_the_lead_copies_an_audit_to_the_next_year(somu_audit: Any, tanaka: Any) -> None:
    response = client_for(tanaka).post(f"/audits/{somu_audit.pk}/copy/")
    assert response.status_code == 302
    copy = Audit.objects.exclude(pk=somu_audit.pk).get()
    assert copy.programme.fiscal_year == 2027
    assert response["Location"] == f"/audits/{copy.pk}/"


def test_the_ciso_deploys_horizontally_and_the_other_manager_answers_on_the_page(
    *, mito: Any, somu: Any, sato: Any, gicho: Any, tanaka: Any, somu_audit: Any
) -> None:
    from kitei.audits import findings as audit_findings  # noqa: PLC0415
    from kitei.audits.models import HorizontalCheck  # noqa: PLC0415
    from kitei.people.services import create_department  # noqa: PLC0415

    from ..conftest import SETUP  # noqa: PLC0415

    giji = create_department(mito, actor=SETUP, name="議事課")
    manager = make_person(
        mito, "mgr", "議事 管理", roles=("information_security_manager",), department=giji
    )
    finding = audit_findings.raise_finding(
        somu_audit, actor=tanaka.user, kind="minor", title="掲示", department=somu
    )
    ciso = client_for(gicho)
    deployed = ciso.post(
        f"/audits/findings/{finding.pk}/deploy/", {"deploy-departments": [giji.pk]}
    )
    assert deployed.status_code == 302
    other = client_for(manager)
    home = other.get("/").content.decode()
    assert 'id="waiting-horizontal"' in home
    page = other.get(f"/audits/findings/{finding.pk}/").content.decode()
    assert "議事課 での確認結果を回答" in page
    answered = other.post(
        f"/audits/findings/{finding.pk}/answer/",
        {"answer-found": "yes", "answer-note": "同様の掲示"},
    )
    assert answered.status_code == 302
    linked = HorizontalCheck.objects.get().linked
    assert linked is not None
    assert linked.department == giji
    assert other.get(f"/audits/findings/{linked.pk}/").status_code == 200


def test_the_findings_and_their_progress_export_to_excel(
    *, mito: Any, somu: Any, sato: Any, tanaka: Any, somu_audit: Any
) -> None:
    import io  # noqa: PLC0415

    from openpyxl import load_workbook  # noqa: PLC0415

    from kitei.audits import findings as audit_findings  # noqa: PLC0415
    from kitei.corrective import services as corrective  # noqa: PLC0415

    finding = audit_findings.raise_finding(
        somu_audit, actor=tanaka.user, kind="major", title="=掲示", department=somu
    )
    (action,) = audit_findings.submit_plan(
        finding, actor=sato.user, root_cause="周知不足", plan="撤去", actions=[("撤去", None)]
    )
    corrective.record_progress(action, actor=sato.user, note="半分撤去")
    response = client_for(tanaka).get("/audits/findings/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    findings_sheet, progress = book["指摘事項"], book["改善計画進捗表"]
    row = [c.value for c in findings_sheet[2]]
    assert row[0] == finding.number
    assert row[4] == "=掲示"  # text, never a formula
    assert findings_sheet.cell(2, 5).data_type == "s"
    assert [c.value for c in progress[2]][:3] == [finding.number, action.number, "撤去"]
    assert progress.cell(2, 7).value == "半分撤去"


def test_toyama_shows_no_independence_rule_on_the_audit_page(toyama: Any, rijicho: Any) -> None:
    from kitei.audits import services  # noqa: PLC0415
    from kitei.people.services import create_department  # noqa: PLC0415

    from ..conftest import SETUP  # noqa: PLC0415

    office = create_department(toyama, actor=SETUP, name="組合事務局")
    audit = services.plan_audit(
        programme(toyama),
        actor=rijicho.user,
        title="定期監査",
        kind="internal",
        departments=[office],
    )
    client = client_for(rijicho)
    response = client.post(f"/audits/{audit.pk}/appoint/", {"appoint-person": rijicho.pk})
    assert response.status_code == 302
    page = client.get(f"/audits/{audit.pk}/").content.decode()
    assert "独立性の定めなし" in page


def test_the_audit_page_shows_the_newest_papers_and_all_on_request(
    somu_audit: Any, tanaka: Any
) -> None:
    from kitei.audits.models import WorkingPaper  # noqa: PLC0415
    from kitei.audits.views import PAPERS_SHOWN  # noqa: PLC0415

    WorkingPaper.objects.bulk_create(
        WorkingPaper(
            organization=somu_audit.organization,
            audit=somu_audit,
            item=f"項目{i:03d}",
            text="確認",
            recorded_by=tanaka,
        )
        for i in range(PAPERS_SHOWN + 5)
    )
    client = client_for(tanaka)
    page = client.get(f"/audits/{somu_audit.pk}/").content.decode()
    assert page.count('id="paper-') == PAPERS_SHOWN
    assert f"全 {PAPERS_SHOWN + 5} 件" in page
    everything = client.get(f"/audits/{somu_audit.pk}/?papers=all").content.decode()
    assert everything.count('id="paper-') == PAPERS_SHOWN + 5
