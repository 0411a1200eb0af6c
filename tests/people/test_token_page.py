"""A person's API tokens are listed on their page and revocable there (issue 10, point 5)."""

from __future__ import annotations

from typing import Any

import pytest

from kitei.core.models import ChangeRecord
from kitei.core.tokens import create_api_token

from ..conftest import SETUP, make_person
from .conftest import client_for

pytestmark = pytest.mark.django_db


def _revoke_url(token: Any) -> str:
    return f"/people/tokens/{token.pk}/revoke/"


def test_the_person_sees_their_tokens_and_revokes_one(suzuki: Any) -> None:
    token, plain = create_api_token(suzuki.user, actor=SETUP, name="台帳連携")
    client = client_for("suzuki")
    page = client.get(f"/people/{suzuki.pk}/").content.decode()
    assert "APIトークン" in page
    assert "台帳連携" in page
    assert token.prefix in page
    assert plain not in page
    assert "90日（kitei の既定値）" in page
    assert _revoke_url(token) in page
    response = client.post(_revoke_url(token))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked
    record = ChangeRecord.objects.get(action="revoke_api_token")
    assert record.actor_name == "suzuki"
    assert client.get("/api/assets", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401


def test_an_administrator_revokes_a_members_token(suzuki: Any, ito: Any) -> None:
    token, _plain = create_api_token(suzuki.user, actor=SETUP)
    client = client_for("ito")
    assert token.prefix in client.get(f"/people/{suzuki.pk}/").content.decode()
    assert client.post(_revoke_url(token)).status_code == 302
    token.refresh_from_db()
    assert token.revoked
    assert ChangeRecord.objects.get(action="revoke_api_token").actor_name == "ito"


def test_a_colleague_neither_sees_nor_revokes_them(mito: Any, suzuki: Any) -> None:
    token, _plain = create_api_token(suzuki.user, actor=SETUP)
    make_person(mito, "other", "他 人")
    client = client_for("other")
    page = client.get(f"/people/{suzuki.pk}/").content.decode()
    assert token.prefix not in page
    assert client.post(_revoke_url(token)).status_code == 403
    assert client.get(_revoke_url(token)).status_code == 405
    token.refresh_from_db()
    assert not token.revoked
    assert not ChangeRecord.objects.filter(action="revoke_api_token").exists()


def test_another_organisations_token_is_not_found(toyama: Any, ito: Any) -> None:
    yamada = make_person(toyama, "yamada", "山田 三郎")
    token, _plain = create_api_token(yamada.user, actor=SETUP)
    client = client_for("ito")
    assert client.post(_revoke_url(token)).status_code == 404
    token.refresh_from_db()
    assert not token.revoked
