"""The approvals cast beside tests/conftest.py's: mito's approvers, a system, assets; helpers.

mito: `sato` 情報セキュリティ管理者 of 総務課 and `suzuki` staff of 総務課 (tests/conftest.py),
`kobayashi` 情報セキュリティ責任者 (議会事務局長), `gicho` CISO (議長), `kato` 情報システム管理者
and `kimura` 情報システム担当者 of 議会情報システム, `ito` organisation administrator (the
policy office), `jinji` a second 課 with its own 情報セキュリティ管理者 `mori`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from kitei.approvals import services
from kitei.approvals.models import Request
from kitei.assets.services import register_asset
from kitei.core.models import ChangeRecord
from kitei.people.services import assign_role, create_department
from kitei.systems.services import register_system
from tests.conftest import SETUP

from ..conftest import approve_as, file_request_as, make_person

file = file_request_as  # the shared builders, under this suite's names
approve = approve_as

SYSTEM = "議会情報システム"


def reject(request: Request, person: Any, **kwargs: Any) -> Request:
    """Reject as the person."""
    return services.reject_request(request, actor=person.user, approver=person, **kwargs)


def actions_of(org: Any, request: Request) -> list[str]:
    """The audit trail's actions about one request, in order."""
    return list(
        ChangeRecord.objects.filter(
            organization=org, object_type="approvals.request", object_id=str(request.pk)
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )


def step_roles(request: Request) -> list[tuple[str, list[str]]]:
    """The stored route: (mode, role ids) per step."""
    return [(s.mode, [r["id"] for r in s.roles]) for s in request.steps.order_by("position")]


def give_roles(org: Any, person: Any, roles: Iterable[str], **scope: Any) -> Any:
    for role in roles:
        assign_role(org, actor=SETUP, person=person, role_id=role, **scope)
    return person


@pytest.fixture
def council_system(mito: Any, somu: Any) -> Any:
    return register_system(mito, actor=SETUP, name=SYSTEM, department=somu, zone="lgwan")


@pytest.fixture
def kobayashi(mito: Any, somu: Any) -> Any:
    """情報セキュリティ責任者 (議会事務局長)."""
    return make_person(
        mito, "kobayashi", "小林 局長", roles=("information_security_officer",), department=somu
    )


@pytest.fixture
def gicho(mito: Any) -> Any:
    """CISO (議長)."""
    return make_person(mito, "gicho", "議長 太郎", roles=("ciso",))


@pytest.fixture
def kato(mito: Any, somu: Any, council_system: Any) -> Any:
    """情報システム管理者 of 議会情報システム (by assignment)."""
    person = make_person(mito, "kato", "加藤 補佐", department=somu)
    return give_roles(mito, person, ["information_system_manager"], system=council_system)


@pytest.fixture
def kimura(mito: Any, somu: Any, council_system: Any) -> Any:
    """情報システム担当者 of 議会情報システム (by assignment)."""
    person = make_person(mito, "kimura", "木村 係長", department=somu)
    return give_roles(mito, person, ["information_system_operator"], system=council_system)


@pytest.fixture
def ito(mito: Any, somu: Any) -> Any:
    """Organisation administrator: the policy office that decides gaps."""
    return make_person(mito, "ito", "伊藤 五郎", department=somu, is_org_admin=True)


@pytest.fixture
def jinji(mito: Any) -> Any:
    return create_department(mito, actor=SETUP, name="人事課")


@pytest.fixture
def mori(mito: Any, jinji: Any) -> Any:
    """情報セキュリティ管理者 of 人事課 (not of 総務課)."""
    return make_person(
        mito, "mori", "森 課長", roles=("information_security_manager",), department=jinji
    )


@pytest.fixture
def roster(mito: Any, somu: Any, council_system: Any) -> Any:
    """議員名簿 of 総務課: 機密性3B."""
    return register_asset(
        mito,
        actor=SETUP,
        name="議員名簿",
        department=somu,
        form="electronic",
        classification={"機密性": "3B", "完全性": "2", "可用性": "1"},
        system=council_system,
    )


@pytest.fixture
def minutes(mito: Any, somu: Any) -> Any:
    """会議録の写し of 総務課: 機密性1, on paper."""
    return register_asset(
        mito,
        actor=SETUP,
        name="会議録の写し",
        department=somu,
        form="paper",
        classification={"機密性": "1", "完全性": "1", "可用性": "1"},
    )


@pytest.fixture
def payroll(mito: Any, jinji: Any) -> Any:
    """給与データ of 人事課: 機密性2."""
    return register_asset(
        mito,
        actor=SETUP,
        name="給与データ",
        department=jinji,
        form="electronic",
        classification={"機密性": "2", "完全性": "2", "可用性": "1"},
    )
