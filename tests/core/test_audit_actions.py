"""Audit actions are declared by their apps with Japanese labels; nothing else is recorded."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models, transaction
from django.test import Client

from kitei.approvals.choices import RequestAuditAction
from kitei.assets.choices import AssetAuditAction
from kitei.core import audit
from kitei.core.choices import CoreAuditAction
from kitei.core.models import ChangeRecord
from kitei.core.services import record_change, record_changes
from kitei.people.choices import PeopleAuditAction
from kitei.records.choices import RecordAuditAction
from kitei.systems.choices import SystemAuditAction
from tests.conftest import PASSWORD, SETUP, make_person

APPS = (
    CoreAuditAction,
    PeopleAuditAction,
    AssetAuditAction,
    SystemAuditAction,
    RequestAuditAction,
    RecordAuditAction,
)


def test_every_app_declares_its_actions_with_japanese_labels() -> None:
    registered = dict(audit.choices())
    for choices in APPS:
        for member in choices:
            assert audit.action(member.value) is member
            assert registered[member.value] == member.label
            assert any("\u3040" <= ch <= "\u9fff" for ch in str(member.label)), member
    assert audit.label("create_organization") == "組織の作成"
    assert audit.label("an_action_of_long_ago") == "an_action_of_long_ago"


def test_a_value_declared_twice_is_refused_and_nothing_registered() -> None:
    class Clash(models.TextChoices):
        FRESH = "fresh_action_of_the_clash", "新しい操作"
        TAKEN = "file_request", "別の申請"

    with pytest.raises(ValueError, match="already declared"):
        audit.actions(Clash)
    assert not audit.is_registered("fresh_action_of_the_clash")
    assert audit.action("file_request") is RequestAuditAction.FILE_REQUEST
    assert audit.actions(RequestAuditAction) is RequestAuditAction  # again: harmless


@pytest.mark.django_db
def test_record_change_refuses_an_unknown_action(mito: Any) -> None:
    before = ChangeRecord.objects.count()
    with transaction.atomic(), pytest.raises(ValueError, match="unknown audit action 'typo'"):
        record_change(mito, actor=SETUP, action="typo", obj=mito)  # type: ignore[arg-type]  # untyped on purpose
    with transaction.atomic(), pytest.raises(ValueError, match="unknown audit action"):
        record_changes(mito, actor=SETUP, entries=[{"action": "typo", "object_id": "1"}])
    assert ChangeRecord.objects.count() == before


@pytest.mark.django_db
def test_record_change_stores_the_value_of_a_typed_action(mito: Any) -> None:
    with transaction.atomic():
        record = record_change(mito, actor=SETUP, action=CoreAuditAction.UPGRADE_PACK, obj=mito)
    stored = ChangeRecord.objects.get(pk=record.pk)
    assert type(stored.action) is str
    assert stored.action == "upgrade_pack"
    assert stored.action_label == "ポリシーパックの版の更新"


@pytest.mark.django_db
def test_the_audit_trail_page_shows_the_japanese_label(mito: Any) -> None:
    make_person(mito, "kansa", "監査 一子", roles=("auditor",))
    client = Client()
    assert client.login(username="kansa", password=PASSWORD)
    page = client.get("/audit/").content.decode()
    assert '<strong class="action">組織の作成</strong>' in page
    assert '<strong class="action">役割の割当て</strong>' in page
    assert '<option value="file_request">申請の提出</option>' in page  # the filter lists them all
    filtered = client.get("/audit/", {"action": "assign_role"}).content.decode()
    assert '<strong class="action">役割の割当て</strong>' in filtered
    assert '<strong class="action">組織の作成</strong>' not in filtered
