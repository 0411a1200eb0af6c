"""遵守事項の確認 and leaving: conduct duties become a request whose every duty is confirmed.

002 6-4 and the like bind every member without a request to decide; the pack makes them the
obligations of x.conduct.acknowledge (note conduct-acknowledgement), so filing it is a dated
acknowledgement: refused until each duty is confirmed, then permitted at once and recorded.
"""

from __future__ import annotations

from typing import Any

import pytest

from kitei.approvals import services
from kitei.approvals.models import Request, RequestState
from kitei.core.services import verify_audit_chain

from ..conftest import make_person
from .conftest import actions_of, file, step_roles

pytestmark = pytest.mark.django_db


def test_an_acknowledgement_is_refused_until_every_duty_is_confirmed(
    mito: Any, suzuki: Any
) -> None:
    missing = "共用IDの利用者以外に利用させない"  # 6-4(1)イ, not confirmed below
    with pytest.raises(services.ObligationsUnconfirmed, match=missing) as caught:
        services.file_request(
            mito,
            actor=suzuki.user,
            applicant=suzuki,
            action="x.conduct.acknowledge",
            reason="令和8年度の確認",
            confirmed_obligations=["id-not-lent"],
        )
    assert "業務以外の目的でウェブを閲覧しない" in caught.value.messages[0]
    assert "自己が利用しているIDを他人に利用させない" not in caught.value.messages[0]
    assert not Request.objects.exists()


def test_a_confirmed_acknowledgement_is_permitted_and_recorded(mito: Any, suzuki: Any) -> None:
    request = file(mito, suzuki, "x.conduct.acknowledge", reason="令和8年度の確認")
    assert (request.state, request.effect) == (RequestState.PERMITTED, "permit")
    assert step_roles(request) == []
    assert {"id-not-lent", "no-shared-passwords", "secrecy-after-leaving"} <= set(
        request.confirmed_obligations
    )
    assert len(request.confirmed_obligations) == len(request.decision["obligations"]) == 17
    clauses = [r["clause"] for r in request.decision["reasons"]]
    assert {"6-4(1)ア", "6-4(2)オ", "7-1(20)ア", "3(2)ウ(ア)"} <= set(clauses)
    assert actions_of(mito, request) == ["file_request"]
    assert verify_audit_chain(mito).ok


def test_a_member_leaving_toyama_confirms_the_secrecy_of_4_2(toyama: Any) -> None:
    member = make_person(toyama, "yamada", "山田 一郎", roles=("union_members",))
    request = file(toyama, member, "x.member.leave", reason="退職のため")
    assert request.state == RequestState.PERMITTED
    assert request.confirmed_obligations == ["secrecy-after-leaving"]
    assert [r["clause"] for r in request.decision["reasons"]] == ["4(2)"]
