"""Fixtures of the people register tests: organisation administrators and logged-in clients."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ..conftest import PASSWORD, activate_totp, make_person


def client_for(username: str) -> Client:
    """A client logged in as `username` (the cast's shared password)."""
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def ito(mito: Any, somu: Any) -> Any:
    """伊藤, organisation administrator of mito (with TOTP, as administrators must)."""
    person = make_person(mito, "ito", "伊藤 五郎", department=somu, is_org_admin=True)
    activate_totp(person)
    return person


@pytest.fixture
def toyama_admin(toyama: Any) -> Any:
    """An organisation administrator of toyama."""
    person = make_person(toyama, "toyama_admin", "富山 管理", is_org_admin=True)
    activate_totp(person)
    return person
