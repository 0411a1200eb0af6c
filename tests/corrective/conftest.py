"""The corrective actions cast beside tests/conftest.py's: `ito` an organisation administrator
of mito (holds corrective.verify and corrective.view_all by kitei's own rule), `kimura` a
member of another 課 (情報政策課)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from kitei.people.services import create_department

from ..conftest import PASSWORD, SETUP, activate_totp, make_person


def client_for(person: Any) -> Client:
    """Logged in as the person; those who need TOTP have it, as they must."""
    from allauth.mfa.models import Authenticator  # noqa: PLC0415

    from kitei.core.access import requires_mfa  # noqa: PLC0415

    if requires_mfa(person.user) and not Authenticator.objects.filter(user=person.user).exists():
        activate_totp(person)
    client = Client()
    assert client.login(username=person.user.username, password=PASSWORD)
    return client


@pytest.fixture(autouse=True)
def japanese() -> Iterator[None]:
    """Messages in Japanese, whatever language an earlier test's request left active."""
    with translation.override("ja"):
        yield


@pytest.fixture
def ito(mito: Any, somu: Any) -> Any:
    return make_person(mito, "admin_ito", "伊藤 管理", department=somu, is_org_admin=True)


@pytest.fixture
def kimura(mito: Any) -> Any:
    seisaku = create_department(mito, actor=SETUP, name="情報政策課")
    return make_person(
        mito, "kimura", "木村 四郎", roles=("members_and_staff",), department=seisaku
    )
