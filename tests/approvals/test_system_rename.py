"""Renaming a system keeps the rights of those assigned to it (issue 8 point 3).

Assignments named their system by text, so a rename through the register's service
stripped the 情報システム管理者 of the right to change the system and to decide the
requests on it. They now hold a foreign key.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kitei.approvals import routing
from kitei.approvals.models import Request, RequestState
from kitei.core import access
from kitei.people import entitlements
from kitei.systems.services import update_system
from tests.conftest import SETUP

from ..conftest import PASSWORD, activate_totp
from .conftest import approve, file

pytestmark = pytest.mark.django_db

RENAMED = "議会情報システム（令和8年度更新）"


def test_a_renamed_system_stays_its_managers_to_change(
    mito: Any, somu: Any, kato: Any, council_system: Any
) -> None:
    """kato holds 情報システム管理者 by assignment only (the register names no manager)."""
    assert council_system.manager_id is None
    update_system(council_system, actor=SETUP, name=RENAMED)
    council_system.refresh_from_db()
    assert access.check(kato.user, "systems.manage", council_system).allowed
    assert access.reach(kato.user, "systems.manage", mito).systems == {council_system.pk}
    activate_totp(kato)  # 情報システム管理者 is an administrative role
    client = Client()
    assert client.login(username="kato", password=PASSWORD)
    page = client.get(f"/systems/{council_system.pk}/edit/")
    assert page.status_code == 200
    changed = client.post(
        f"/systems/{council_system.pk}/software/add/", {"name": "議会映像配信", "version": "2"}
    )
    assert changed.status_code == 302
    assert council_system.software.get().name == "議会映像配信"


def _filed_then_renamed(org: Any, applicant: Any, system: Any) -> Request:
    """A software install request on the system, filed before the system is renamed."""
    request = file(org, applicant, "device.install_software", system=system)
    update_system(system, actor=SETUP, name=RENAMED)
    request.refresh_from_db()
    assert request.system is not None
    assert request.system.name == RENAMED
    return request


def test_a_renamed_system_stays_its_managers_to_decide(
    mito: Any, suzuki: Any, *, kobayashi: Any, kato: Any, council_system: Any
) -> None:
    """7-1(17)イ: 情報システム管理者 decides software installs on their system, renamed or not."""
    request = _filed_then_renamed(mito, suzuki, council_system)
    request = approve(request, kobayashi)
    request = approve(request, kato, role_id="information_system_manager")
    assert request.state == RequestState.APPROVED


def test_the_approvers_of_a_renamed_system_are_still_notified(
    mito: Any, suzuki: Any, *, kato: Any, kimura: Any, council_system: Any
) -> None:
    request = _filed_then_renamed(mito, suzuki, council_system)
    target = routing.target_of(request)
    assert target.system_id == council_system.pk
    approvers = entitlements.approvers_for(mito, target, ["information_system_manager"])
    assert [p.pk for p in approvers] == [kato.pk]
