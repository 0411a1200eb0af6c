"""API tokens expire by default (the organisation sets the period) and need a finished
security set-up: no temporary password, TOTP wherever kitei requires it (issue 10, point 5)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.utils import timezone

from kitei.cli import main
from kitei.core.access import Refusal
from kitei.core.models import ApiToken, ChangeRecord
from kitei.core.tokens import (
    DEFAULT_LIFETIME_DAYS,
    create_api_token,
    revoke_api_token,
    set_token_lifetime,
    token_lifetime,
)
from tests.conftest import SETUP

from ..conftest import activate_totp, make_person
from .conftest import api_client

pytestmark = pytest.mark.django_db


def _days(token: ApiToken) -> float:
    assert token.expires_at is not None
    return (token.expires_at - timezone.now()) / timedelta(days=1)


def test_a_token_expires_after_kiteis_default_period(suzuki: Any) -> None:
    token, _plain = create_api_token(suzuki.user, actor=SETUP)
    assert DEFAULT_LIFETIME_DAYS == 90
    assert DEFAULT_LIFETIME_DAYS - 1 < _days(token) <= DEFAULT_LIFETIME_DAYS
    lifetime = token_lifetime(suzuki.organization)
    assert lifetime.is_default
    assert lifetime.label == "90日（kitei の既定値）"


def test_the_organisation_sets_the_period_and_it_is_recorded(
    mito: Any, suzuki: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "lifetime", "--org", "mito"]) == 0
    assert capsys.readouterr().out == "mito\t90日（kitei の既定値）\n"
    assert main(["token", "lifetime", "--org", "mito", "--days", "30"]) == 0
    assert capsys.readouterr().out == "mito\t30日（組織の設定）\n"
    record = ChangeRecord.objects.get(action="set_api_token_lifetime")
    assert '"days":30' in record.after
    assert '"days":90' in record.before
    token, _plain = create_api_token(suzuki.user, actor=SETUP)
    assert 29 < _days(token) <= 30
    # Not longer than the organisation allows, and never "no expiry".
    with pytest.raises(ValidationError, match="30日（組織の設定）以内"):
        create_api_token(suzuki.user, actor=SETUP, expires_at=timezone.now() + timedelta(days=31))
    assert main(["token", "create", "--user", "suzuki", "--days", "0"]) == 2
    assert "無期限" in capsys.readouterr().err
    assert main(["token", "create", "--user", "suzuki", "--days", "31"]) == 2
    assert main(["token", "lifetime", "--org", "mito", "--days", "0"]) == 2
    assert "1日から3650日" in capsys.readouterr().err
    assert main(["token", "lifetime", "--org", "mito", "--default"]) == 0
    assert token_lifetime(mito).is_default
    assert main(["token", "lifetime", "--org", "nowhere"]) == 2


def test_only_administrators_set_the_period(mito: Any, suzuki: Any) -> None:
    admin = make_person(mito, "kanri", "管理 者", is_org_admin=True)
    with pytest.raises(Refusal):
        set_token_lifetime(mito, actor=suzuki.user, days=7)
    assert set_token_lifetime(mito, actor=admin.user, days=7).days == 7


def test_no_token_while_the_password_is_temporary(mito: Any, suzuki: Any) -> None:
    newcomer = make_person(mito, "newcomer", "新人 太郎", must_change_password=True)
    with pytest.raises(ValidationError, match="仮パスワード"):
        create_api_token(newcomer.user, actor=SETUP)
    assert ApiToken.objects.count() == 0
    # A token issued before a password reset stops working until the password is changed.
    _token, plain = create_api_token(suzuki.user, actor=SETUP)
    suzuki.must_change_password = True
    suzuki.save(update_fields=["must_change_password"])
    response = api_client(plain).get("/api/assets")
    assert response.status_code == 403
    assert response.json()["code"] == "password_change_required"
    assert "仮パスワード" in response.json()["detail"]


@pytest.mark.parametrize("who", ["org_admin", "administrative_role"])
def test_no_token_for_whoever_must_have_totp_and_has_not(mito: Any, sato: Any, who: str) -> None:
    person = sato
    if who == "org_admin":
        person = make_person(mito, "kanri", "管理 者", is_org_admin=True)
    with pytest.raises(ValidationError, match="二要素認証"):
        create_api_token(person.user, actor=SETUP)
    activate_totp(person)
    _token, plain = create_api_token(person.user, actor=SETUP)
    assert api_client(plain).get("/api/assets").status_code == 200
    Authenticator.objects.filter(user=person.user).delete()
    response = api_client(plain).get("/api/assets")
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_revoking_anothers_token_needs_people_manage(mito: Any, suzuki: Any, ito: Any) -> None:
    other = make_person(mito, "other", "他 人")
    token, _plain = create_api_token(suzuki.user, actor=SETUP)
    with pytest.raises(Refusal):
        revoke_api_token(token, actor=other.user)
    assert revoke_api_token(token, actor=suzuki.user).revoked  # one's own
    second, _plain = create_api_token(suzuki.user, actor=SETUP)
    assert revoke_api_token(second, actor=ito.user).revoked  # an organisation administrator
    assert ChangeRecord.objects.filter(action="revoke_api_token").count() == 2
