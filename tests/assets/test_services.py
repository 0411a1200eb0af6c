"""Register services: classes resolved, copies inherit, media take the highest, all recorded."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from kitei.assets.models import Asset
from kitei.assets.services import classify_asset, register_asset, set_medium_contents
from kitei.core.models import ChangeRecord
from kitei.core.services import verify_audit_chain
from kitei.systems.models import Software
from kitei.systems.services import add_software, register_system
from tests.conftest import SETUP

C2 = {"機密性": "2", "完全性": "1", "可用性": "1"}


@pytest.mark.django_db
def test_register_resolves_titles_and_records(mito: Any, somu: Any, sato: Any) -> None:
    asset = register_asset(
        mito,
        actor=sato.user,
        name="議員名簿",
        department=somu,
        form="electronic",
        classification={"機密性": "機密性3B", "完全性": "2", "可用性": "1"},
    )
    assert asset.classification == {"confidentiality": "3B", "integrity": "2", "availability": "1"}
    record = ChangeRecord.objects.get(action="register_asset")
    assert record.actor_name == "sato"
    assert '"confidentiality":"3B"' in record.after


@pytest.mark.django_db
def test_bad_class_is_refused_in_japanese_and_nothing_written(mito: Any, somu: Any) -> None:
    before = ChangeRecord.objects.count()
    with pytest.raises(ValidationError, match="機密性の区分「4」はありません"):
        register_asset(
            mito,
            actor=SETUP,
            name="x",
            department=somu,
            form="paper",
            classification={"機密性": "4", "完全性": "1", "可用性": "1"},
        )
    with pytest.raises(ValidationError, match="分類を指定するか"):
        register_asset(mito, actor=SETUP, name="x", department=somu, form="paper")
    assert Asset.objects.count() == 0
    assert ChangeRecord.objects.count() == before


@pytest.mark.django_db
def test_copies_follow_their_original(mito: Any, somu: Any) -> None:
    original = register_asset(
        mito, actor=SETUP, name="原本", department=somu, form="paper", classification=C2
    )
    copy = register_asset(
        mito,
        actor=SETUP,
        name="写し",
        department=somu,
        form="paper",
        classification={"機密性": "1", "完全性": "1", "可用性": "1"},
        copy_of=original,
    )
    assert copy.classification == original.classification
    classify_asset(original, actor=SETUP, classification={**C2, "機密性": "3C"})
    copy.refresh_from_db()
    assert copy.classification["confidentiality"] == "3C"
    with pytest.raises(ValidationError, match="複製の分類は複製元に従います"):
        classify_asset(copy, actor=SETUP, classification=C2)


@pytest.mark.django_db
def test_medium_takes_the_highest_class_of_its_contents(mito: Any, somu: Any) -> None:
    a = register_asset(
        mito,
        actor=SETUP,
        name="A",
        department=somu,
        form="electronic",
        classification={"機密性": "3A", "完全性": "1", "可用性": "1"},
    )
    b = register_asset(
        mito,
        actor=SETUP,
        name="B",
        department=somu,
        form="electronic",
        classification={"機密性": "1", "完全性": "2", "可用性": "2"},
    )
    usb = register_asset(
        mito,
        actor=SETUP,
        name="USBメモリ1",
        department=somu,
        form="medium",
        classification={"機密性": "1", "完全性": "1", "可用性": "1"},
    )
    set_medium_contents(usb, actor=SETUP, contents=[a, b])
    usb.refresh_from_db()
    assert usb.classification == {"confidentiality": "3A", "integrity": "2", "availability": "2"}
    assert verify_audit_chain().ok


@pytest.mark.django_db
def test_unclear_class_waits_for_a_decision(mito: Any, somu: Any) -> None:
    asset = register_asset(
        mito, actor=SETUP, name="不明文書", department=somu, form="paper", unclear=True
    )
    assert asset.classification_status == "unclear"
    classify_asset(asset, actor=SETUP, classification=C2)
    assert asset.classification_status == "decided"


@pytest.mark.django_db
def test_software_support_status(mito: Any, somu: Any) -> None:
    system = register_system(
        mito,
        actor=SETUP,
        name="議会情報システム",
        department=somu,
        zone="lgwan",
        planned_until=date(2030, 3, 31),
    )
    ended = add_software(system, actor=SETUP, name="OS", end_of_support=date(2025, 10, 14))
    during = add_software(system, actor=SETUP, name="DB", end_of_support=date(2028, 1, 1))
    fine = add_software(system, actor=SETUP, name="Web", end_of_support=date(2031, 1, 1))
    today = date(2026, 11, 22)
    assert [s.support_status(today) for s in (ended, during, fine)] == [
        "ended",
        "ends_during_use",
        "ok",
    ]
    assert Software(system=system, name="x").support_status(today) == "unknown"
    with pytest.raises(ValidationError, match="ネットワーク「moon」"):
        register_system(mito, actor=SETUP, name="y", department=somu, zone="moon")
