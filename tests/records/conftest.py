"""The record books cast beside tests/conftest.py's, and helpers filing real requests.

mito: `sato` 情報セキュリティ管理者 of 総務課 and `suzuki` staff (tests/conftest.py), `gicho`
CISO (議長), `honda` allowed into the 管理区域 (入退室を許可された者). toyama: `yamada`
(tests/conftest.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from kitei.approvals.models import Request
from kitei.assets.services import register_asset
from kitei.core.models import ChangeRecord
from kitei.people.models import Person
from tests.conftest import SETUP

from ..conftest import approve_as, file_request_as, make_person

file = file_request_as  # the shared builders, under this suite's names
approve = approve_as

C2 = {"機密性": "機密性2", "完全性": "2", "可用性": "2"}


def actions(org: Any, obj: Any) -> list[str]:
    """The audit trail's actions about one object, in order."""
    return list(
        ChangeRecord.objects.filter(
            organization=org, object_type=obj._meta.label_lower, object_id=str(obj.pk)
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )


def with_email(person: Person, email: str) -> Person:
    """Give the person an e-mail address (test setup, not a service under test)."""
    Person.objects.filter(pk=person.pk).update(email=email)
    person.refresh_from_db()
    return person


@pytest.fixture
def gicho(mito: Any) -> Any:
    return make_person(mito, "gicho", "議長 太郎", roles=("ciso",))


@pytest.fixture
def honda(mito: Any, somu: Any) -> Any:
    return make_person(
        mito, "honda", "本田 六子", roles=("authorized_area_personnel",), department=somu
    )


@pytest.fixture
def laptop(mito: Any, somu: Any) -> Any:
    return register_asset(
        mito,
        actor=SETUP,
        name="議会用ノートパソコン",
        department=somu,
        form="electronic",
        classification=C2,
    )


@pytest.fixture
def take_out(mito: Any, sato: Any, suzuki: Any, laptop: Any) -> Request:
    """suzuki's take-out of the laptop, approved by sato (情報セキュリティ管理者 of 総務課)."""
    return approve(file(mito, suzuki, "asset.take_out", asset=laptop), sato)
