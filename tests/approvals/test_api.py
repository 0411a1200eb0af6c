"""`/api/requests`: file, read, approve and reject over the API, with the services' rules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kitei.approvals.models import Request, RequestState
from kitei.core.models import ChangeRecord

from ..api.conftest import api_client, token_for
from ..conftest import make_org, make_person
from .conftest import file

pytestmark = pytest.mark.django_db


def _post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def _take_out(asset: Any, **extra: Any) -> dict[str, Any]:
    return {
        "action": "asset.take_out",
        "asset_id": asset.pk,
        "reason": "委員会資料の作成",
        "confirmed_obligations": ["business-purpose-only"],
        "destination": "議会棟 第1委員会室",
        "purpose": "委員会での説明",
        "planned_take_out_at": "2026-12-10T09:00:00+09:00",
        "planned_return_on": "2026-12-11",
        **extra,
    }


def test_file_read_and_approve(mito: Any, suzuki: Any, sato: Any, roster: Any) -> None:
    staff, manager = api_client(token_for(suzuki)), api_client(token_for(sato))
    response = _post(staff, "/api/requests", _take_out(roster))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], body["effect"]) == ("pending", "approval_required")
    assert body["decision"]["approvals"] == [
        {
            "mode": "all_of",
            "roles": [{"id": "information_security_manager", "title": "情報セキュリティ管理者"}],
        }
    ]
    assert body["asset"] == {"id": roster.pk, "name": "議員名簿"}
    assert body["steps"][0]["approvals"] == []
    inbox = manager.get("/api/requests", {"box": "inbox"}).json()
    assert [r["id"] for r in inbox["items"]] == [body["id"]]
    approved = _post(manager, f"/api/requests/{body['id']}/approve", {"comment": "了承"})
    assert approved.status_code == 200, approved.json()
    result = approved.json()
    assert (result["state"], result["waiting"]) == ("approved", False)
    [verdict] = result["steps"][0]["approvals"]
    assert (verdict["approver"]["name"], verdict["comment"]) == (sato.name, "了承")
    assert staff.get(f"/api/requests/{body['id']}").json()["state"] == "approved"
    mine = staff.get("/api/requests").json()
    assert [r["id"] for r in mine["items"]] == [body["id"]]


def test_a_forbidden_request_answers_422_with_the_decision(
    mito: Any, suzuki: Any, roster: Any
) -> None:
    body = {"action": "device.use_non_designated", "asset_id": roster.pk, "reason": "自宅で作業"}
    response = _post(api_client(token_for(suzuki)), "/api/requests", body)
    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "forbidden"
    assert answer["decision"]["effect"] == "forbid"
    assert "3(1)ア" in answer["detail"]
    assert not Request.objects.exists()


def test_unconfirmed_obligations_answer_422_with_the_checklist(
    mito: Any, suzuki: Any, roster: Any
) -> None:
    response = _post(
        api_client(token_for(suzuki)), "/api/requests", _take_out(roster, confirmed_obligations=[])
    )
    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "obligations"
    assert [o["id"] for o in answer["decision"]["obligations"]] == ["business-purpose-only"]
    assert not Request.objects.exists()


def test_bad_input_answers_422(mito: Any, suzuki: Any, roster: Any) -> None:
    staff = api_client(token_for(suzuki))
    for body, code in (
        (_take_out(roster, context={"urgent": True}), "invalid"),
        (_take_out(roster, context={"minor": "yes"}), "invalid"),
        (_take_out(roster, action="asset.fly"), "invalid"),
        ({"action": "asset.take_out", "asset_id": roster.pk}, "invalid"),
    ):
        response = _post(staff, "/api/requests", body)
        assert (response.status_code, response.json()["code"]) == (422, code), body


def test_self_approval_through_the_api_is_refused_with_403(
    mito: Any, sato: Any, roster: Any
) -> None:
    manager = api_client(token_for(sato))
    request_id = _post(manager, "/api/requests", _take_out(roster)).json()["id"]
    response = _post(manager, f"/api/requests/{request_id}/approve", {"comment": "自分で"})
    assert response.status_code == 403
    assert "2(6)ア" in response.json()["detail"]
    assert Request.objects.get(pk=request_id).state == RequestState.PENDING
    assert ChangeRecord.objects.filter(action="refused_approval").count() == 1
    rejected = _post(manager, f"/api/requests/{request_id}/reject", {})
    assert rejected.status_code == 403


def test_the_override_through_the_api_is_flagged(mito: Any, sato: Any, roster: Any) -> None:
    manager = api_client(token_for(sato))
    request_id = _post(manager, "/api/requests", _take_out(roster)).json()["id"]
    response = _post(
        manager,
        f"/api/requests/{request_id}/approve",
        {"override_reason": "情報セキュリティ管理者が一人のため"},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["overridden"]) == ("approved", True)
    assert (
        body["steps"][0]["approvals"][0]["override_reason"] == "情報セキュリティ管理者が一人のため"
    )


def test_staff_cannot_approve_and_twice_is_refused(
    mito: Any, suzuki: Any, sato: Any, minutes: Any
) -> None:
    request = file(mito, suzuki, "asset.take_out", asset=minutes)
    staff, manager = api_client(token_for(suzuki)), api_client(token_for(sato))
    assert _post(staff, f"/api/requests/{request.pk}/approve", {}).status_code == 403
    assert _post(manager, f"/api/requests/{request.pk}/approve", {}).status_code == 200
    again = _post(manager, f"/api/requests/{request.pk}/approve", {})
    assert (again.status_code, again.json()["code"]) == (422, "invalid")
    assert "承認済み" in again.json()["detail"]


def test_another_organisations_request_is_not_found(
    mito: Any, suzuki: Any, minutes: Any, roster: Any
) -> None:
    request = file(mito, suzuki, "asset.take_out", asset=minutes)
    other = make_org("other", name="他の議会")
    outsider = api_client(token_for(make_person(other, "outsider", "外部 者", roles=("ciso",))))
    assert outsider.get(f"/api/requests/{request.pk}").status_code == 404
    assert _post(outsider, f"/api/requests/{request.pk}/approve", {}).status_code == 404
    assert _post(outsider, f"/api/requests/{request.pk}/reject", {}).status_code == 404
    filed = _post(outsider, "/api/requests", _take_out(roster))
    assert (filed.status_code, filed.json()["code"]) == (422, "invalid")  # not their asset
    assert outsider.get("/api/requests", {"box": "inbox"}).json()["items"] == []
    assert Request.objects.get(pk=request.pk).state == RequestState.PENDING


def test_a_token_is_required(mito: Any, suzuki: Any, minutes: Any) -> None:
    request = file(mito, suzuki, "asset.take_out", asset=minutes)
    assert Client().get(f"/api/requests/{request.pk}").status_code == 401
    assert _post(Client(), "/api/requests", {}).status_code == 401
