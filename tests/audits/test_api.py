"""`/api/audits` and `/api/findings`: the caller's organisation only, with the verdicts."""

from __future__ import annotations

from typing import Any

import pytest

from kitei.audits import findings, services

from ..api.conftest import api_client, token_for
from ..conftest import make_org, make_person
from .conftest import programme

pytestmark = pytest.mark.django_db


def test_audits_and_findings_over_the_api(
    *, mito: Any, somu: Any, sato: Any, suzuki: Any, tanaka: Any, somu_audit: Any
) -> None:
    services.appoint_auditor(somu_audit, tanaka, actor=tanaka.user, is_lead=True)
    findings.raise_finding(
        somu_audit, actor=tanaka.user, kind="major", title="掲示", department=somu
    )
    lead = api_client(token_for(tanaka))
    (row,) = lead.get("/api/audits").json()
    assert row["number"] == somu_audit.number
    assert row["fiscal_year_label"] == "令和8年度"
    assert row["auditors"][0]["independence"]["allowed"] is True
    assert lead.get(f"/api/audits/{somu_audit.pk}").json()["departments"] == ["総務課"]
    (finding,) = api_client(token_for(sato)).get("/api/findings?mine=true").json()
    assert finding["owner"] == "佐藤 一郎"
    assert finding["kind_label"] == "指摘事項（重大な不適合）"
    assert api_client(token_for(suzuki)).get("/api/audits").json() == []
    assert api_client(token_for(suzuki)).get(f"/api/audits/{somu_audit.pk}").status_code == 404


def test_another_organisations_audit_is_404(somu_audit: Any, tanaka: Any) -> None:
    other = make_org("other", "mito-city-council", "別の議会")
    boss = make_person(other, "boss", "別 組織", is_org_admin=True)
    from kitei.people.services import create_department  # noqa: PLC0415

    dept = create_department(other, actor=boss.user, name="別課")
    theirs = services.plan_audit(
        programme(other), actor=boss.user, title="他", kind="internal", departments=[dept]
    )
    assert api_client(token_for(tanaka)).get(f"/api/audits/{theirs.pk}").status_code == 404
