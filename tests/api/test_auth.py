"""Tokens, permissions and tenant isolation of the API: 401, 403 and 404, never a leak."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kitei.assets.models import Asset
from kitei.core.models import ApiToken, ChangeRecord
from kitei.core.tokens import create_api_token, revoke_api_token
from tests.conftest import SETUP

from .conftest import C3B, api_client, token_for

pytestmark = pytest.mark.django_db


def _detail(response: Any) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["code"], body["detail"]


def test_missing_token(roster: Any) -> None:
    response = Client().get("/api/assets")
    assert _detail(response) == (
        401,
        "missing",
        "APIトークンがありません（Authorization: Bearer …）。",
    )
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_wrong_scheme_and_unknown_token(suzuki: Any) -> None:
    token = token_for(suzuki)
    basic = Client(headers={"Authorization": f"Basic {token}"}).get("/api/assets")
    assert _detail(basic)[:2] == (401, "invalid")
    assert "Bearer 形式" in _detail(basic)[2]
    unknown = api_client(token + "x").get("/api/assets")
    assert _detail(unknown) == (401, "invalid", "APIトークンが正しくありません。")


def test_revoked_token(suzuki: Any, ito: Any) -> None:
    token, plain = create_api_token(suzuki.user, actor=SETUP)
    assert api_client(plain).get("/api/assets").status_code == 200
    revoke_api_token(token, actor=ito.user)
    assert _detail(api_client(plain).get("/api/assets")) == (
        401,
        "revoked",
        "APIトークンは失効しています。",
    )
    record = ChangeRecord.objects.get(action="revoke_api_token")
    assert record.actor_name == "ito"


def test_expired_token(suzuki: Any) -> None:
    token, plain = create_api_token(
        suzuki.user, actor=SETUP, expires_at=timezone.now() + timedelta(days=1)
    )
    assert api_client(plain).get("/api/assets").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _detail(api_client(plain).get("/api/assets"))[:2] == (401, "expired")


def test_deactivated_user(suzuki: Any) -> None:
    plain = token_for(suzuki)
    suzuki.user.is_active = False
    suzuki.user.save()
    assert _detail(api_client(plain).get("/api/assets"))[:2] == (401, "inactive")


def test_use_is_stamped(suzuki: Any) -> None:
    token, plain = create_api_token(suzuki.user, actor=SETUP)
    assert token.last_used_at is None
    api_client(plain).get("/api/assets")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_staff_reads_but_may_not_write(staff_api: Client, somu: Any, roster: Any) -> None:
    assert staff_api.get(f"/api/assets/{roster.pk}").status_code == 200
    before = ChangeRecord.objects.count()
    body = {"name": "x", "department_id": somu.pk, "form": "paper", "classification": C3B}
    response = staff_api.post("/api/assets", json.dumps(body), content_type="application/json")
    assert _detail(response) == (403, "forbidden", "この操作を行う権限がありません。")
    patch = staff_api.patch(
        f"/api/assets/{roster.pk}", json.dumps({"name": "y"}), content_type="application/json"
    )
    assert patch.status_code == 403
    # The permission is checked before the input is read: bad input still answers 403.
    bad = staff_api.post("/api/assets", "{", content_type="application/json")
    assert bad.status_code == 403
    assert Asset.objects.count() == 1
    assert ChangeRecord.objects.count() == before


def test_another_organisations_ids_are_not_found(
    admin_api: Client, staff_api: Client, roster: Any, toyama_asset: Any
) -> None:
    for client in (admin_api, staff_api):
        response = client.get(f"/api/assets/{toyama_asset.pk}")
        assert _detail(response)[:2] == (404, "not_found")
    patch = admin_api.patch(
        f"/api/assets/{toyama_asset.pk}",
        json.dumps({"name": "乗っ取り"}),
        content_type="application/json",
    )
    assert patch.status_code == 404
    toyama_asset.refresh_from_db()
    assert toyama_asset.name == "組合員名簿"
    names = [i["name"] for i in admin_api.get("/api/assets").json()["items"]]
    assert names == ["議員名簿"]


def test_another_organisations_rows_cannot_be_referenced(
    admin_api: Client, somu: Any, toyama_asset: Any
) -> None:
    body = {
        "name": "x",
        "department_id": toyama_asset.department_id,
        "form": "paper",
        "classification": C3B,
    }
    response = admin_api.post("/api/assets", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert f"部署（id={toyama_asset.department_id}）はこの組織にありません" in _detail(response)[2]
    copy = {**body, "department_id": somu.pk, "copy_of_id": toyama_asset.pk}
    response = admin_api.post("/api/assets", json.dumps(copy), content_type="application/json")
    assert response.status_code == 422
    assert Asset.objects.filter(organization=somu.organization).count() == 0


def test_toyama_token_sees_toyama_only(toyama_admin: Any, roster: Any, toyama_asset: Any) -> None:
    client = api_client(token_for(toyama_admin))
    body = client.get("/api/assets", {"重要性分類": "I"}).json()
    assert [i["name"] for i in body["items"]] == ["組合員名簿"]
    assert body["items"][0]["classification"] == {"importance": "I"}
    assert client.get(f"/api/assets/{roster.pk}").status_code == 404
    assert client.get("/api/assets", {"機密性": "3B"}).status_code == 422


def test_a_token_does_not_follow_its_user_to_another_organisation(suzuki: Any, toyama: Any) -> None:
    plain = token_for(suzuki)
    suzuki.organization = toyama
    suzuki.save(update_fields=["organization"])
    assert _detail(api_client(plain).get("/api/assets"))[:2] == (401, "inactive")


def test_docs_load_nothing_from_a_cdn(suzuki: Any) -> None:
    client = Client()
    client.force_login(suzuki.user)  # production: the docs need a login
    page = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert '"validatorUrl": null' in page
    assert Client().get("/static/ninja/swagger-ui-bundle.js").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert {"/api/assets", "/api/assets/{asset_id}", "/api/systems"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_reasons_follow_the_language_cookie_as_pages_do(suzuki: Any) -> None:
    from django.conf import settings  # noqa: PLC0415

    token = token_for(suzuki)
    client = Client(headers={"Authorization": f"Bearer {token}x", "Accept-Language": "en"})
    assert _detail(client.get("/api/assets"))[2] == "APIトークンが正しくありません。"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # chosen, as on the pages
    english = client.get("/api/assets")
    assert _detail(english) == (401, "invalid", "The API token is not valid.")
    japanese = Client(headers={"Authorization": f"Bearer {token}x"}).get("/api/assets")
    assert _detail(japanese)[2] == "APIトークンが正しくありません。"
