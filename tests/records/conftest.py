"""The record books cast beside tests/conftest.py's, and helpers filing real requests.

mito: `sato` 情報セキュリティ管理者 of 総務課 and `suzuki` staff (tests/conftest.py), `gicho`
CISO (議長), `honda` allowed into the 管理区域 (入退室を許可された者). toyama: `yamada`
(tests/conftest.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from kitei.approvals.models import Request
from kitei.assets.services import register_asset
from kitei.core.models import ChangeRecord
from kitei.people.models import Person
from kitei.people.services import create_department
from kitei.records.books import TAKE_OUT
from kitei.records.models import RecordEntry
from kitei.records.services import record_entry
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


def recorded_take_out(
    org: Any,
    borrower: Any,
    approver: Any,
    asset: Any,
    *,
    due: date,
    recorded_by: Any = None,
    **fields: Any,
) -> RecordEntry:
    """A take-out of the asset, filed by the borrower, approved, recorded in the 持出記録.

    The packs require approval (002 6-1(1)ウ(イ), 003 2(2)ア), so every entry links its
    approved request. Taken out a week before `due` unless `taken_at` is given.
    """
    request = approve(file(org, borrower, "asset.take_out", asset=asset), approver)
    week_before = datetime.combine(due - timedelta(days=7), time(9, 0))
    return record_entry(
        org,
        actor=SETUP,
        book=TAKE_OUT,
        recorded_by=recorded_by or borrower,
        fields={"taken_at": timezone.make_aware(week_before), **fields},
        request=request,
        due_on=due,
    )


@dataclass(frozen=True)
class Toyama:
    """toyama's 統括情報管理者 and an asset whose take-out it approves (003 2(2)ア)."""

    chief: Any
    drawings: Any


@pytest.fixture
def toyama_cast(toyama: Any) -> Toyama:
    dept = create_department(toyama, actor=SETUP, name="工務課")
    chief = make_person(toyama, "tokatsu", "統括 五郎", roles=("chief_information_manager",))
    drawings = register_asset(
        toyama,
        actor=SETUP,
        name="配管図面",
        department=dept,
        form="paper",
        classification={"重要性分類": "II"},
    )
    return Toyama(chief=chief, drawings=drawings)


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
