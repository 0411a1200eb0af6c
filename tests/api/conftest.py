"""Fixtures of the API tests: administrators, tokens and clients that send them."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from kitei.assets.services import register_asset
from kitei.core.tokens import create_api_token
from kitei.people.services import create_department
from kitei.systems.services import register_system
from tests.conftest import SETUP

from ..conftest import activate_totp, make_person

C3B = {"機密性": "3B", "完全性": "2", "可用性": "1"}


def token_for(person: Any) -> str:
    """A fresh API token acting as the person, who has finished their security set-up
    (TOTP set up: administrators and administrative roles must have it)."""
    if not Authenticator.objects.filter(user=person.user).exists():
        activate_totp(person)
    _token, plain = create_api_token(person.user, actor=SETUP)
    return plain


def api_client(token: str) -> Client:
    """A client that sends `Authorization: Bearer <token>` with every request."""
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def ito(mito: Any, somu: Any) -> Any:
    """伊藤, organisation administrator of mito: keeps the registers (TOTP set up, as
    administrators must before they may hold an API token)."""
    person = make_person(mito, "ito", "伊藤 五郎", department=somu, is_org_admin=True)
    activate_totp(person)
    return person


@pytest.fixture
def toyama_admin(toyama: Any) -> Any:
    """An organisation administrator of toyama (TOTP set up)."""
    person = make_person(toyama, "toyama_admin", "富山 管理", is_org_admin=True)
    activate_totp(person)
    return person


@pytest.fixture
def admin_api(ito: Any) -> Client:
    """mito's administrator over the API."""
    return api_client(token_for(ito))


@pytest.fixture
def staff_api(suzuki: Any) -> Client:
    """mito staff (鈴木) over the API: reads, may not write."""
    return api_client(token_for(suzuki))


@pytest.fixture
def jinji(mito: Any) -> Any:
    return create_department(mito, actor=SETUP, name="人事課")


@pytest.fixture
def council_system(mito: Any, somu: Any) -> Any:
    return register_system(
        mito, actor=SETUP, name="議会情報システム", department=somu, zone="lgwan"
    )


@pytest.fixture
def roster(mito: Any, somu: Any, council_system: Any) -> Any:
    """議員名簿: 機密性3B, on the LGWAN system."""
    return register_asset(
        mito,
        actor=SETUP,
        name="議員名簿",
        department=somu,
        form="electronic",
        classification=C3B,
        system=council_system,
    )


@pytest.fixture
def toyama_asset(toyama: Any) -> Any:
    dept = create_department(toyama, actor=SETUP, name="事務局")
    return register_asset(
        toyama,
        actor=SETUP,
        name="組合員名簿",
        department=dept,
        form="paper",
        classification={"重要性分類": "I"},
    )
