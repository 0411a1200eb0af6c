"""`/api/inspections`: items, starting a campaign, its roll-up; 4xx with a reason."""

from __future__ import annotations

from typing import Any

from kitei.inspections.models import Campaign
from tests.api.conftest import api_client, token_for

from .conftest import Cast


def test_items_start_and_rollup(cast: Cast, toyama: Any, yamada: Any) -> None:
    admin = api_client(token_for(cast.admin))
    items = admin.get("/api/inspections/items?scope=system")
    assert items.status_code == 200
    assert {i["scope"] for i in items.json()} == {"system"}
    bad_scope = admin.get("/api/inspections/items?scope=課")
    assert bad_scope.status_code == 422
    assert "unknown scope" in bad_scope.json()["detail"]
    body = {"duty": "self-inspection-systems", "fiscal_year": 2026}
    created = admin.post("/api/inspections/campaigns", body, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["questionnaires"] == 2
    again = admin.post("/api/inspections/campaigns", body, content_type="application/json")
    assert again.status_code == 422
    assert again.json()["detail"] == "この年度のこの自己点検は開始済みです。"
    campaign = Campaign.objects.get()
    rollup = admin.get(f"/api/inspections/campaigns/{campaign.pk}/rollup")
    assert rollup.status_code == 200
    assert rollup.json()["totals"][""] == sum(
        q.answers.count() for q in campaign.questionnaires.all()
    )
    staff = api_client(token_for(cast.suzuki))
    assert (
        staff.post("/api/inspections/campaigns", body, content_type="application/json").status_code
        == 403
    )
    other = api_client(token_for(yamada))
    assert other.get(f"/api/inspections/campaigns/{campaign.pk}/rollup").status_code == 404
