"""Fixtures of the duties tests: mito's systems, its CISO and an administrator."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SETUP, make_person


@pytest.fixture
def systems(mito: Any, somu: Any) -> list[Any]:
    from kitei.systems.services import register_system  # noqa: PLC0415

    return [
        register_system(mito, actor=SETUP, name=name, department=somu)
        for name in ("議会ネットワーク", "会議録検索システム")
    ]


@pytest.fixture
def admin_ito(mito: Any) -> Any:
    return make_person(mito, "admin_ito", "伊藤 管理", is_org_admin=True)


@pytest.fixture
def ciso(mito: Any) -> Any:
    return make_person(mito, "gicho", "議長 太郎", roles=("ciso",))
