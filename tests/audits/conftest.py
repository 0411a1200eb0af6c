"""The audits cast beside tests/conftest.py's (mito: `sato` 情報セキュリティ管理者 of 総務課,
`suzuki` staff of 総務課, `tanaka` 情報セキュリティ監査統括責任者): `gicho` CISO, `kimura` staff
of 情報政策課, `ito` organisation administrator; toyama: `rijicho` 最高情報統括責任者 (CIO)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from kitei.audits import services
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
def seisaku(mito: Any) -> Any:
    return create_department(mito, actor=SETUP, name="情報政策課")


@pytest.fixture
def kimura(mito: Any, seisaku: Any) -> Any:
    return make_person(
        mito, "kimura", "木村 四郎", roles=("members_and_staff",), department=seisaku
    )


@pytest.fixture
def gicho(mito: Any) -> Any:
    return make_person(mito, "gicho", "議長 太郎", roles=("ciso",))


@pytest.fixture
def ito(mito: Any) -> Any:
    return make_person(mito, "admin_ito", "伊藤 管理", is_org_admin=True)


@pytest.fixture
def rijicho(toyama: Any) -> Any:
    return make_person(toyama, "rijicho", "理事長 一", roles=("cio",))


def programme(org: Any, actor: Any = SETUP, year: int = 2026) -> Any:
    return services.create_programme(org, actor=actor, fiscal_year=year)


@pytest.fixture
def somu_audit(mito: Any, somu: Any, tanaka: Any) -> Any:
    """An internal audit of 総務課 under 002 10-1(1), planned by the audit lead."""
    return services.plan_audit(
        programme(mito),
        actor=tanaka.user,
        title="総務課の情報セキュリティ監査",
        kind="internal",
        departments=[somu],
        criteria=[{"clause": "10-1(1)", "quote": "毎年度監査を行わせなければならない"}],
        methods=["documents", "interview"],
        starts_on=date(2026, 10, 1),
        ends_on=date(2026, 12, 25),
    )
