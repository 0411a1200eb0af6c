"""A small cast for self-inspection: two 課, two systems and the roles the duties name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import SETUP, make_person


@dataclass
class Cast:
    org: Any
    somu: Any
    giji: Any
    officer: Any  # 情報セキュリティ責任者
    sato: Any  # 情報セキュリティ管理者 of 総務課
    ono: Any  # 情報セキュリティ管理者 of 議事課
    kato: Any  # 情報システム管理者 of 議会ネットワーク (via the register)
    suzuki: Any  # staff of 総務課
    admin: Any  # 組織管理者
    network: Any
    minutes: Any


@pytest.fixture
def cast(mito: Any, somu: Any, sato: Any, suzuki: Any) -> Cast:
    from kitei.people.services import create_department  # noqa: PLC0415
    from kitei.systems.services import register_system  # noqa: PLC0415

    giji = create_department(mito, actor=SETUP, name="議事課")
    officer = make_person(mito, "officer", "高橋 局長", roles=("information_security_officer",))
    ono = make_person(
        mito, "ono", "小野 課長", roles=("information_security_manager",), department=giji
    )
    kato = make_person(mito, "kato", "加藤 係長", department=somu)
    admin = make_person(mito, "admin_ito", "伊藤 管理", is_org_admin=True)
    network = register_system(
        mito, actor=SETUP, name="議会ネットワーク", department=somu, manager=kato
    )
    minutes = register_system(mito, actor=SETUP, name="会議録検索システム", department=giji)
    return Cast(
        org=mito,
        somu=somu,
        giji=giji,
        officer=officer,
        sato=sato,
        ono=ono,
        kato=kato,
        suzuki=suzuki,
        admin=admin,
        network=network,
        minutes=minutes,
    )
