"""The incidents cast beside tests/conftest.py's.

mito: `suzuki` staff and `sato` 情報セキュリティ管理者 of 総務課, `gicho` CISO, `kobayashi`
情報セキュリティ責任者, `kato` 情報システム管理者 of 議会情報システム (register column),
`csirt` a 議会CSIRT member, `other` a staff member of another 課 on no chain.
toyama: `shain` a member firm's 社員, `jm` 情報管理者, `hosa` 統括情報管理者補佐, `tokatsu`
統括情報管理者, `rijicho` CIO, `jimu` 組合CSIRT (事務局).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from kitei.incidents import services
from kitei.people.services import create_department
from kitei.systems.services import register_system
from tests.conftest import SETUP, activate_totp, make_person


@pytest.fixture
def gicho(mito: Any) -> Any:
    return make_person(mito, "gicho", "議長 太郎", roles=("ciso",))


@pytest.fixture
def kobayashi(mito: Any, somu: Any) -> Any:
    return make_person(
        mito, "kobayashi", "小林 局長", roles=("information_security_officer",), department=somu
    )


@pytest.fixture
def kato(mito: Any, somu: Any) -> Any:
    return make_person(mito, "kato", "加藤 管理", department=somu)


@pytest.fixture
def council_system(mito: Any, somu: Any, kato: Any) -> Any:
    return register_system(
        mito, actor=SETUP, name="議会情報システム", department=somu, manager=kato
    )


@pytest.fixture
def csirt(mito: Any, somu: Any) -> Any:
    return make_person(mito, "csirt1", "高橋 CSIRT", roles=("csirt",), department=somu)


@pytest.fixture
def other(mito: Any) -> Any:
    jinji = create_department(mito, actor=SETUP, name="人事課")
    return make_person(mito, "other", "他 課員", roles=("members_and_staff",), department=jinji)


@pytest.fixture
def cast(  # noqa: PLR0917 - fixtures are positional
    sato: Any, suzuki: Any, gicho: Any, kobayashi: Any, council_system: Any, csirt: Any
) -> Any:
    for person in (sato, gicho, kobayashi):
        activate_totp(person)  # administrative roles sign in with TOTP
    return {"sato": sato, "suzuki": suzuki, "gicho": gicho, "kobayashi": kobayashi}


def file_as(person: Any, **fields: Any) -> Any:
    """File an incident as the person (defaults: a plain 情報セキュリティインシデント)."""
    values: dict[str, Any] = {
        "title": "USBメモリの紛失",
        "description": "会議室でUSBメモリが見当たらない。",
        "detected_at": timezone.now() - timedelta(minutes=5),
        "kind": "incident",
    }
    values.update(fields)
    return services.file_incident(person.organization, actor=person.user, **values)
