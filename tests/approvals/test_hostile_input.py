"""NUL bytes and other control characters in input: refused before any view, nothing stored.

On PostgreSQL a NUL in a text column made the insert fail (a 500); on SQLite it was stored.
The request guard (kitei.core.input_guard) answers 400: JSON with a reason on the API, a
Japanese page elsewhere — for API fields, search parameters, request reasons and forms.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from kitei.approvals.models import Request
from kitei.assets.models import Asset
from kitei.core.models import ChangeRecord
from kitei.core.validators import no_control_characters

from ..api.conftest import api_client, token_for
from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

REASON = "制御文字（NUL など）を含む値は入力できません。"
TAKE_OUT = {
    "action": "asset.take_out",
    "confirmed_obligations": ["business-purpose-only"],
    "destination": "議会棟 第1委員会室",
    "purpose": "委員会での説明",
    "planned_take_out_at": "2026-12-10T09:00:00+09:00",
    "planned_return_on": "2026-12-11",
}


def _json(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def test_api_fields_with_a_nul_are_400_with_a_reason(
    mito: Any, suzuki: Any, sato: Any, roster: Any
) -> None:
    api = api_client(token_for(suzuki))
    before = ChangeRecord.objects.count()
    for reason in ("資料\x00作成", "資料\x07", "\x1b[31m"):
        body = {**TAKE_OUT, "asset_id": roster.pk, "reason": reason}
        response = _json(api, "/api/requests", body)
        assert response.status_code == 400
        assert response.json() == {"detail": REASON, "code": "control_characters"}
    nested = {**TAKE_OUT, "asset_id": roster.pk, "reason": "可", "extra": {"k\x00": ["x"]}}
    assert _json(api, "/api/requests", nested).status_code == 400
    assert not Request.objects.exists()
    assert ChangeRecord.objects.count() == before
    # Tab, line feed and carriage return are text.
    fine = {**TAKE_OUT, "asset_id": roster.pk, "reason": "委員会資料\r\nの作成\t(2部)"}
    assert _json(api, "/api/requests", fine).status_code == 201


def test_search_parameters_with_a_nul_are_400(mito: Any, suzuki: Any, roster: Any) -> None:
    api = api_client(token_for(suzuki))
    response = api.get("/api/assets", {"q": "議員\x00"})
    assert response.status_code == 400
    assert response.json()["detail"] == REASON
    assert api.get("/api/assets?name%00=x").status_code == 400
    client = Client()
    assert client.login(username="suzuki", password=PASSWORD)
    page = client.get("/assets/", {"q": "\x00"})
    assert page.status_code == 400
    assert REASON in page.content.decode()
    assert api.get("/api/assets", {"q": "議員"}).status_code == 200


def test_a_request_reason_with_a_nul_on_the_page_is_400(
    mito: Any, suzuki: Any, sato: Any, roster: Any
) -> None:
    client = Client()
    assert client.login(username="suzuki", password=PASSWORD)
    form = {
        "action": "asset.take_out",
        "asset": roster.pk,
        "reason": "資料\x00作成",
        "obligations": "business-purpose-only",
    }
    response = client.post("/approvals/new/", form)
    assert response.status_code == 400
    page = response.content.decode()
    assert REASON in page
    assert "何も保存していません" in page
    assert not Request.objects.exists()
    upload = client.post("/assets/import/", {"action": "check", "name\x00": "x"})
    assert upload.status_code == 400
    assert Asset.objects.count() == 1


def test_the_shared_validator() -> None:
    no_control_characters("改行\nとタブ\tは可")
    no_control_characters(None)
    with pytest.raises(ValidationError, match="制御文字"):
        no_control_characters("a\x00b")
