"""`/api/incidents`: file, list, read, acknowledge, timeline; need-to-know and 405s."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from kitei.core.models import ChangeRecord
from kitei.incidents.models import Incident, TimelineEntry

from ..api.conftest import api_client, token_for


def _post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def _when(minutes: int = 5) -> str:
    return (timezone.now() - timedelta(minutes=minutes)).isoformat()


def _file(client: Client, **extra: Any) -> Any:
    body = {
        "kind": "incident",
        "title": "不審なメール",
        "description": "添付を開いた",
        "detected_at": _when(),
        **extra,
    }
    return _post(client, "/api/incidents", body)


def test_file_read_acknowledge_and_timeline(cast: Any, council_system: Any, csirt: Any) -> None:
    staff = api_client(token_for(cast["suzuki"]))
    response = _file(staff, system_ids=[council_system.pk])
    assert response.status_code == 201
    body = response.json()
    assert body["number"].endswith("-0001")
    first = body["steps"][0]
    assert (first["clause"], first["state"], first["recipients"]) == (
        "6-3(1)ア",
        "sent",
        ["佐藤 一郎"],
    )
    manager = api_client(token_for(cast["sato"]))
    path = f"/api/incidents/{body['id']}"
    refused = _post(staff, f"{path}/steps/{first['id']}/acknowledge", {})
    assert refused.status_code == 403
    acked = _post(manager, f"{path}/steps/{first['id']}/acknowledge", {}).json()
    opened = [s for s in acked["steps"] if s["clause"] == "6-3(1)イ"]
    assert {s["state"] for s in opened} == {"sent"}
    listed = manager.get("/api/incidents?state=reported").json()
    assert [i["id"] for i in listed["items"]] == [body["id"]]
    entry = _post(
        api_client(token_for(csirt)),
        f"{path}/timeline",
        {"kind": "containment", "text": "ネットワークから切り離した", "event_at": _when(1)},
    )
    assert entry.status_code == 201
    assert entry.json()["author"] == "高橋 CSIRT"
    assert staff.get(path).json()["timeline"][0]["text"] == "ネットワークから切り離した"


def test_timeline_entries_cannot_be_updated_or_deleted(cast: Any) -> None:
    staff = api_client(token_for(cast["suzuki"]))
    body = _file(staff).json()
    path = f"/api/incidents/{body['id']}/timeline"
    entry = _post(staff, path, {"kind": "detection", "text": "検知", "event_at": _when()}).json()
    for method in ("put", "patch", "delete"):
        response = getattr(staff, method)(path, content_type="application/json")
        assert response.status_code == 405
        response = getattr(staff, method)(f"{path}/{entry['id']}", content_type="application/json")
        assert response.status_code in (404, 405)
    correction = _post(
        staff,
        path,
        {
            "kind": "correction",
            "text": "検知は10分前",
            "event_at": _when(),
            "corrects": entry["id"],
        },
    )
    assert correction.json()["corrects"] == entry["id"]
    assert TimelineEntry.objects.get(pk=entry["id"]).text == "検知"


def test_bad_input_is_422_with_a_reason_and_nothing_written(mito: Any, cast: Any) -> None:
    staff = api_client(token_for(cast["suzuki"]))
    before = ChangeRecord.objects.filter(organization=mito).count()
    for extra in (
        {"kind": "fire"},
        {"flags": ["urgent"]},
        {"detected_at": "2999-01-01T00:00:00+09:00"},
    ):
        response = _file(staff, **extra)
        assert response.status_code == 422
        assert response.json()["detail"]
    assert Incident.objects.count() == 0
    assert ChangeRecord.objects.filter(organization=mito).count() == before


def test_restricted_incident_is_404_off_the_chain_and_reads_recorded(
    mito: Any, cast: Any, other: Any
) -> None:
    staff = api_client(token_for(cast["suzuki"]))
    body = _file(staff, flags=["personal_data"]).json()
    outsider = api_client(token_for(other))
    assert outsider.get(f"/api/incidents/{body['id']}").status_code == 404
    assert outsider.get("/api/incidents").json()["count"] == 0
    assert staff.get(f"/api/incidents/{body['id']}").status_code == 200
    reads = ChangeRecord.objects.filter(organization=mito, action="read_incident")
    assert reads.count() == 1
