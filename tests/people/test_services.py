"""Role assignment rules at assignment time, and ending assignments (never deleting them)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from kitei.core import access
from kitei.core.models import ChangeRecord
from kitei.core.services import verify_audit_chain
from kitei.people.models import RoleAssignment
from kitei.people.services import assign_role, create_department, end_assignment
from kitei.systems.services import register_system
from tests.conftest import SETUP

from ..conftest import make_person

MANAGER = "information_security_manager"


def _records(org: Any, action: str) -> list[ChangeRecord]:
    return list(ChangeRecord.objects.filter(organization=org, action=action))


def test_deputy_for_a_holder_of_the_same_role_and_department(
    mito: Any, somu: Any, sato: Any, suzuki: Any
) -> None:
    deputy = assign_role(
        mito,
        actor=SETUP,
        person=suzuki,
        role_id=MANAGER,
        department=somu,
        deputy_for=sato,
        valid_from=date(2026, 8, 1),
        valid_until=date(2026, 8, 31),
    )
    assert deputy.deputy_for == sato
    record = _records(mito, "assign_role")[-1]
    assert record.actor_name == "tests"  # the operator is recorded by name
    assert '"deputy_for":"佐藤 一郎"' in record.after
    assert MANAGER in access.held_roles(suzuki.user, on=date(2026, 8, 15))
    assert MANAGER not in access.held_roles(suzuki.user, on=date(2026, 9, 1))


def test_nobody_deputises_for_themselves(mito: Any, somu: Any, sato: Any) -> None:
    with pytest.raises(ValidationError, match="自分自身の代行者にはなれません。"):
        assign_role(
            mito, actor=SETUP, person=sato, role_id=MANAGER, department=somu, deputy_for=sato
        )


def test_deputy_needs_someone_holding_the_same_role(mito: Any, somu: Any, suzuki: Any) -> None:
    kato = make_person(mito, "kato", "加藤 四郎")
    with pytest.raises(ValidationError, match="鈴木 花子は、この期間に同じ範囲の"):
        assign_role(
            mito, actor=SETUP, person=kato, role_id=MANAGER, department=somu, deputy_for=suzuki
        )


def test_deputy_needs_the_same_department(mito: Any, sato: Any, suzuki: Any) -> None:
    giji = create_department(mito, actor=SETUP, name="議事課")
    with pytest.raises(ValidationError, match="「情報セキュリティ管理者」を担っていない"):
        assign_role(
            mito, actor=SETUP, person=suzuki, role_id=MANAGER, department=giji, deputy_for=sato
        )


def test_deputy_needs_a_period_when_the_holder_holds_the_role(
    mito: Any, somu: Any, sato: Any, suzuki: Any
) -> None:
    holding = RoleAssignment.objects.get(person=sato, role_id=MANAGER)
    end_assignment(mito, actor=SETUP, assignment=holding, on=date(2026, 3, 31))
    with pytest.raises(ValidationError, match="この期間に同じ範囲の"):
        assign_role(
            mito,
            actor=SETUP,
            person=suzuki,
            role_id=MANAGER,
            department=somu,
            deputy_for=sato,
            valid_from=date(2026, 4, 1),
        )


def test_deputy_for_a_system_role_names_the_same_system(
    mito: Any, somu: Any, sato: Any, suzuki: Any
) -> None:
    role = "information_system_manager"
    council = register_system(mito, actor=SETUP, name="議会情報システム", department=somu)
    finance = register_system(mito, actor=SETUP, name="財務会計", department=somu)
    assign_role(mito, actor=SETUP, person=sato, role_id=role, system=council)
    with pytest.raises(ValidationError, match="この期間に同じ範囲の"):
        assign_role(mito, actor=SETUP, person=suzuki, role_id=role, system=finance, deputy_for=sato)
    deputy = assign_role(
        mito, actor=SETUP, person=suzuki, role_id=role, system=council, deputy_for=sato
    )
    assert RoleAssignment.objects.get(pk=deputy.pk).system == council


def test_a_system_role_for_another_organisations_system_is_refused(
    mito: Any, toyama: Any, suzuki: Any
) -> None:
    office = create_department(toyama, actor=SETUP, name="事務局")
    theirs = register_system(toyama, actor=SETUP, name="組合業務システム", department=office)
    before = (RoleAssignment.objects.count(), ChangeRecord.objects.count())
    with pytest.raises(
        ValidationError, match="対象システムがこの組織の情報システム台帳にありません。"
    ):
        assign_role(
            mito,
            actor=SETUP,
            person=suzuki,
            role_id="information_system_manager",
            system=theirs,
        )
    assert (RoleAssignment.objects.count(), ChangeRecord.objects.count()) == before


def test_a_system_role_takes_a_registered_system_not_a_name(mito: Any, suzuki: Any) -> None:
    with pytest.raises(TypeError, match=r"system must be a systems\.system"):
        assign_role(
            mito,
            actor=SETUP,
            person=suzuki,
            role_id="information_system_manager",
            system="議会情報システム",  # type: ignore[arg-type]  # the old text form, refused
        )


def test_a_system_in_use_by_an_assignment_cannot_be_deleted(
    mito: Any, somu: Any, suzuki: Any
) -> None:
    council = register_system(mito, actor=SETUP, name="議会情報システム", department=somu)
    assign_role(
        mito, actor=SETUP, person=suzuki, role_id="information_system_manager", system=council
    )
    with pytest.raises(ProtectedError):
        council.delete()


def test_system_role_needs_a_system(mito: Any, suzuki: Any) -> None:
    with pytest.raises(ValidationError, match="「情報システム管理者」には対象システムが必要です。"):
        assign_role(mito, actor=SETUP, person=suzuki, role_id="information_system_manager")


def test_period_must_be_ordered(mito: Any, somu: Any, suzuki: Any) -> None:
    before = ChangeRecord.objects.count()
    with pytest.raises(ValidationError, match="終了日が開始日より前です。"):
        assign_role(
            mito,
            actor=SETUP,
            person=suzuki,
            role_id=MANAGER,
            department=somu,
            valid_from=date(2026, 5, 1),
            valid_until=date(2026, 4, 30),
        )
    assert ChangeRecord.objects.count() == before


def test_nothing_of_another_organisation_can_be_named(
    mito: Any, somu: Any, sato: Any, yamada: Any
) -> None:
    with pytest.raises(ValidationError, match="この職員は組織に属していません。"):
        assign_role(mito, actor=SETUP, person=yamada, role_id=MANAGER, department=somu)
    with pytest.raises(ValidationError, match="代行される者が組織に属していません。"):
        assign_role(
            yamada.organization,
            actor=SETUP,
            person=yamada,
            role_id="staff",
            deputy_for=sato,
        )


def test_ending_an_assignment_keeps_it_and_records_the_change(mito: Any, sato: Any) -> None:
    holding = RoleAssignment.objects.get(person=sato, role_id=MANAGER)
    end_assignment(mito, actor=SETUP, assignment=holding, on=date(2026, 6, 30))
    holding.refresh_from_db()
    assert holding.valid_until == date(2026, 6, 30)
    assert MANAGER in access.held_roles(sato.user, on=date(2026, 6, 30))
    assert MANAGER not in access.held_roles(sato.user, on=date(2026, 7, 1))
    record = _records(mito, "end_assignment")[-1]
    assert record.before == '{"valid_until":null}'
    assert '"valid_until":"2026-06-30"' in record.after
    assert verify_audit_chain(mito).ok


def test_an_ended_assignment_cannot_end_again_or_be_extended(mito: Any, sato: Any) -> None:
    holding = RoleAssignment.objects.get(person=sato, role_id=MANAGER)
    end_assignment(mito, actor=SETUP, assignment=holding, on=date(2026, 6, 30))
    with pytest.raises(ValidationError, match="既に2026-06-30までで終了しています。"):
        end_assignment(mito, actor=SETUP, assignment=holding, on=date(2026, 7, 31))
    assert len(_records(mito, "end_assignment")) == 1


def test_an_assignment_cannot_end_before_it_starts(mito: Any, somu: Any, suzuki: Any) -> None:
    future = assign_role(
        mito,
        actor=SETUP,
        person=suzuki,
        role_id=MANAGER,
        department=somu,
        valid_from=date(2026, 10, 1),
    )
    with pytest.raises(ValidationError, match="終了日が開始日より前です。"):
        end_assignment(mito, actor=SETUP, assignment=future, on=date(2026, 9, 30))


def test_another_organisations_assignment_cannot_be_ended(mito: Any, yamada: Any) -> None:
    theirs = RoleAssignment.objects.get(person=yamada)
    with pytest.raises(ValidationError, match="この割当ては組織に属していません。"):
        end_assignment(mito, actor=SETUP, assignment=theirs, on=date(2026, 6, 30))
    theirs.refresh_from_db()
    assert theirs.valid_until is None
