"""Corrective actions through the service API other apps call (raise, progress, report, verify)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from kitei.core import access
from kitei.core.models import ChangeRecord
from kitei.core.services import verify_audit_chain
from kitei.corrective import services
from kitei.corrective.choices import ActionState
from kitei.corrective.models import CorrectiveAction, ProgressEntry
from kitei.people.services import assign_role

from ..conftest import PDF, SETUP, first_number, make_person, upload

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + timedelta(days=1)


def _raise(mito: Any, actor: Any, **kwargs: Any) -> CorrectiveAction:
    kwargs.setdefault("owner", None)
    kwargs.setdefault("owner_role", "information_security_manager")
    return services.raise_action(
        mito,
        None,
        "パスワードの貼り紙を撤去する",
        kwargs.pop("owner"),
        kwargs.pop("due", TOMORROW),
        actor=actor,
        clause="10-1(6)ア",
        quote="当該事項への対処（改善計画の策定等）を指示しなければならない",
        **kwargs,
    )


def _actions(org: Any, obj: Any) -> list[str]:
    return list(
        ChangeRecord.objects.filter(
            organization=org, object_type=obj._meta.label_lower, object_id=str(obj.pk)
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )


def _attach(action: Any, person: Any) -> None:
    services.attach_completion_evidence(
        action,
        actor=person.user,
        upload=upload("撤去写真.pdf", PDF),
        evidence_date=timezone.localdate(),
    )


def test_the_owner_is_resolved_from_the_role_of_the_department_and_the_action_cites(
    mito: Any, somu: Any, sato: Any, ito: Any
) -> None:
    action = _raise(mito, ito.user, department=somu)
    assert action.owner == sato
    assert action.department == somu
    assert action.number == first_number()
    assert action.pack_digest == mito.pack_digest
    assert action.state == ActionState.RAISED
    record = json.loads(ChangeRecord.objects.get(action="raise_corrective_action").after)
    assert record["owner"] == "佐藤 一郎"
    assert record["clause"] == "10-1(6)ア"


def test_the_deputy_in_period_owns_the_action_while_the_holder_is_away(
    mito: Any, somu: Any, sato: Any, ito: Any
) -> None:
    deputy = make_person(mito, "kato", "加藤 代行", department=somu)
    today = timezone.localdate()
    assign_role(
        mito,
        actor=SETUP,
        person=deputy,
        role_id="information_security_manager",
        department=somu,
        deputy_for=sato,
        valid_from=today,
        valid_until=today + timedelta(days=3),
    )
    assert _raise(mito, ito.user, department=somu).owner == deputy
    assert (
        services.holder_of(mito, "information_security_manager", somu, on=today + timedelta(days=4))
        == sato
    )


def test_nobody_holding_the_role_writes_nothing(mito: Any, somu: Any, ito: Any) -> None:
    with pytest.raises(ValidationError, match="担当者を決められません"):
        _raise(mito, ito.user, owner_role="csirt_lead", department=somu)
    assert not CorrectiveAction.objects.exists()
    assert not ChangeRecord.objects.filter(action="raise_corrective_action").exists()


def test_the_whole_way_to_verified_is_audited_and_the_chain_holds(
    mito: Any, somu: Any, sato: Any, ito: Any, evidence_dir: Path
) -> None:
    action = _raise(mito, ito.user, department=somu)
    services.record_progress(action, actor=sato.user, note="貼り紙を撤去した")
    action.refresh_from_db()
    assert action.state == ActionState.IN_PROGRESS
    _attach(action, sato)
    services.report_done(action, actor=sato.user, note="完了")
    services.verify(action, actor=ito.user, effectiveness="巡回で再発なしを確認")
    action.refresh_from_db()
    assert action.state == ActionState.VERIFIED
    assert action.verified_by == ito
    assert action.effectiveness == "巡回で再発なしを確認"
    assert _actions(mito, action) == [
        "raise_corrective_action",
        "start_corrective_action",
        "report_corrective_action_done",
        "verify_corrective_action",
    ]
    assert ChangeRecord.objects.filter(action="record_corrective_progress").count() == 1
    assert verify_audit_chain(mito).ok


def test_the_owner_may_not_verify_their_own_action_even_as_administrator(
    mito: Any, somu: Any, ito: Any, evidence_dir: Path
) -> None:
    # ito is an organisation administrator (corrective.verify by kitei's rule) and the owner.
    action = _raise(mito, ito.user, owner=ito, owner_role="")
    assert access.check(ito.user, "corrective.verify", action).allowed
    _attach(action, ito)
    services.report_done(action, actor=ito.user)
    with pytest.raises(access.Refusal, match="職務の分離"):
        services.verify(action, actor=ito.user)
    action.refresh_from_db()
    assert action.state == ActionState.REPORTED
    assert not ChangeRecord.objects.filter(action="verify_corrective_action").exists()


def test_a_designated_verifier_may_verify_and_a_plain_member_may_not(
    *, mito: Any, somu: Any, sato: Any, suzuki: Any, tanaka: Any, ito: Any, evidence_dir: Path
) -> None:
    action = _raise(mito, ito.user, department=somu, verifiers=[tanaka])
    _attach(action, sato)
    services.report_done(action, actor=sato.user)
    with pytest.raises(access.Refusal):
        services.verify(action, actor=suzuki.user)
    services.verify(action, actor=tanaka.user, accept=False, reason="写真が不鮮明")
    action.refresh_from_db()
    assert action.state == ActionState.RETURNED
    services.report_done(action, actor=sato.user)
    services.verify(action, actor=tanaka.user)
    action.refresh_from_db()
    assert action.state == ActionState.VERIFIED
    assert action.verified_by == tanaka


def test_the_owner_cannot_be_named_a_verifier(mito: Any, somu: Any, sato: Any, ito: Any) -> None:
    with pytest.raises(ValidationError, match="担当者を確認者に"):
        _raise(mito, ito.user, department=somu, verifiers=[sato])


def test_completion_without_evidence_is_refused(mito: Any, somu: Any, sato: Any, ito: Any) -> None:
    action = _raise(mito, ito.user, department=somu)
    with pytest.raises(ValidationError, match="証拠ファイルを添付してから"):
        services.report_done(action, actor=sato.user)
    action.refresh_from_db()
    assert action.state == ActionState.RAISED


def test_only_the_owner_records_progress(
    mito: Any, somu: Any, sato: Any, suzuki: Any, ito: Any
) -> None:
    action = _raise(mito, ito.user, department=somu)
    with pytest.raises(access.Refusal, match="担当者だけ"):
        services.record_progress(action, actor=suzuki.user, note="代わりに記録")
    assert not ProgressEntry.objects.exists()


def test_progress_entries_are_append_only(mito: Any, somu: Any, sato: Any, ito: Any) -> None:
    action = _raise(mito, ito.user, department=somu)
    entry = services.record_progress(action, actor=sato.user, note="着手")
    entry.note = "書き換え"
    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            ProgressEntry.objects.filter(pk=entry.pk).update(note="x")
    assert ProgressEntry.objects.get().note == "着手"


def test_overdue_is_open_and_past_its_date(mito: Any, somu: Any, sato: Any, ito: Any) -> None:
    action = _raise(mito, ito.user, department=somu, due=date(2026, 4, 1))
    assert action.is_overdue(date(2026, 4, 2))
    assert not action.is_overdue(date(2026, 4, 1))


def test_a_source_of_another_organisation_is_refused(
    mito: Any, toyama: Any, yamada: Any, ito: Any
) -> None:
    with pytest.raises(ValidationError, match="別の組織"):
        services.raise_action(mito, yamada, "x", None, None, actor=ito.user, owner_role="ciso")
