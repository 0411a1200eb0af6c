"""`kitei token`: a token is printed once, stored only as its hash, and can be revoked."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from kitei.cli import main
from kitei.core.models import ApiToken, ChangeRecord
from kitei.core.tokens import hash_token

from .conftest import api_client

pytestmark = pytest.mark.django_db


def _create(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["token", "create", *args]) == 0
    out = capsys.readouterr().out
    [token] = out.splitlines()
    return token


def test_create_prints_the_token_once_and_stores_its_hash(
    ito: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "create", "--user", "ito", "--name", "台帳連携"]) == 0
    captured = capsys.readouterr()
    [token] = captured.out.splitlines()
    assert token.startswith("kitei_")
    assert len(token) > 40
    assert "shown only this once" in captured.err
    assert token not in captured.err
    stored = ApiToken.objects.get()
    assert stored.token_hash == hash_token(token)
    assert stored.name == "台帳連携"
    assert stored.organization == ito.organization
    row = ApiToken.objects.filter(pk=stored.pk).values().get()
    assert all(token not in str(value) for value in row.values())
    record = ChangeRecord.objects.get(action="create_api_token")
    assert token not in record.after
    assert '"user":"ito"' in record.after
    assert api_client(token).get("/api/assets").status_code == 200
    assert main(["token", "list", "--user", "ito"]) == 0
    listing = capsys.readouterr().out
    assert stored.prefix in listing
    assert token not in listing


def test_expiry_in_days(ito: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _create(capsys, "--user", "ito", "--days", "30")
    stored = ApiToken.objects.get()
    assert stored.expires_at is not None
    assert (stored.expires_at - stored.created_at).days in (29, 30)


def test_revoke_by_id_and_by_user(
    ito: Any, suzuki: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _create(capsys, "--user", "ito")
    second = _create(capsys, "--user", "ito")
    other = _create(capsys, "--user", "suzuki")
    first_id = ApiToken.objects.get(token_hash=hash_token(first)).pk
    assert main(["token", "revoke", "--id", str(first_id)]) == 0
    assert api_client(first).get("/api/assets").status_code == 401
    assert api_client(second).get("/api/assets").status_code == 200
    assert main(["token", "revoke", "--user", "ito"]) == 0
    assert api_client(second).get("/api/assets").status_code == 401
    assert api_client(other).get("/api/assets").status_code == 200
    assert ChangeRecord.objects.filter(action="revoke_api_token").count() == 2
    assert main(["token", "revoke", "--id", "999999"]) == 2
    assert main(["token", "revoke"]) == 2


def test_refusals(mito: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", "--user", "nobody"]) == 2
    assert "no user 'nobody'" in capsys.readouterr().err
    get_user_model().objects.create_superuser("root", "", "x")
    assert main(["token", "create", "--user", "root"]) == 2
    assert "組織に属していない利用者" in capsys.readouterr().err
    assert ApiToken.objects.count() == 0
