"""A take-out request says where to, what for, from when and until when (issue 9, point 5).

Through the service, the request page, the approver's inbox and the API: the four fields
are required for `asset.take_out`, a return before the take-out is refused with nothing
written, other actions may not carry them, and the approver sees them before deciding.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from kitei.approvals import services
from kitei.approvals.models import Request
from kitei.approvals.takeout import TakeOutPlan
from kitei.core.models import ChangeRecord, NumberCounter

from ..api.conftest import api_client, token_for
from ..conftest import PASSWORD, activate_totp, first_number
from .conftest import file

pytestmark = pytest.mark.django_db

TOKYO = timezone.get_default_timezone()
PLAN = TakeOutPlan(
    destination="議会棟 第1委員会室",
    purpose="委員会での説明",
    take_out_at=datetime(2026, 12, 10, 9, 0, tzinfo=TOKYO),
    return_on=date(2026, 12, 11),
)
FORM = {
    "action": "asset.take_out",
    "reason": "委員会資料の作成",
    "obligations": ["business-purpose-only"],
    "destination": "議会棟 第1委員会室",
    "purpose": "委員会での説明",
    "take_out_at": "2026-12-10T09:00",
    "return_on": "2026-12-11",
}


def client_for(person: Any) -> Client:
    client = Client()
    assert client.login(username=person.user.username, password=PASSWORD)
    return client


CONFIRMED = ["business-purpose-only", "record-disposal", "irrecoverable-erasure"]


def _file(org: Any, person: Any, asset: Any, plan: TakeOutPlan | None, **kwargs: Any) -> Any:
    return services.file_request(
        org,
        actor=person.user,
        applicant=person,
        action=kwargs.pop("action", "asset.take_out"),
        asset=asset,
        reason="委員会資料の作成",
        confirmed_obligations=CONFIRMED,
        take_out=plan,
        **kwargs,
    )


def _nothing_filed() -> None:
    assert not Request.objects.exists()
    assert not ChangeRecord.objects.filter(action="file_request").exists()
    assert not NumberCounter.objects.filter(last__gt=0).exists()  # no number used up


# --- the service -------------------------------------------------------------------------


def test_a_take_out_is_filed_with_its_destination_purpose_and_dates(
    mito: Any, suzuki: Any, roster: Any
) -> None:
    filed = _file(mito, suzuki, roster, PLAN)
    filed.refresh_from_db()
    assert (filed.destination, filed.purpose) == ("議会棟 第1委員会室", "委員会での説明")
    assert timezone.localtime(filed.planned_take_out_at) == PLAN.take_out_at
    assert filed.planned_return_on == date(2026, 12, 11)
    record = ChangeRecord.objects.get(action="file_request")
    assert '"destination":"議会棟 第1委員会室"' in record.after
    assert '"planned_return_on":"2026-12-11"' in record.after


def test_a_take_out_without_its_plan_is_refused_naming_what_is_missing(
    mito: Any, suzuki: Any, roster: Any
) -> None:
    with pytest.raises(ValidationError, match="持出先、目的、持出予定日時、返却予定日"):
        _file(mito, suzuki, roster, None)
    with pytest.raises(ValidationError, match="次の項目が必要です：目的、返却予定日"):
        _file(
            mito,
            suzuki,
            roster,
            TakeOutPlan(destination="市民会館", purpose="  ", take_out_at=PLAN.take_out_at),
        )
    _nothing_filed()


def test_a_return_before_the_take_out_is_refused_and_the_same_day_is_not(
    mito: Any, suzuki: Any, roster: Any
) -> None:
    early = TakeOutPlan(
        destination="市民会館",
        purpose="説明",
        take_out_at=datetime(2026, 12, 10, 9, 0, tzinfo=TOKYO),
        return_on=date(2026, 12, 9),
    )
    with pytest.raises(
        ValidationError, match=r"返却予定日（2026-12-09）が持出予定日時（2026-12-10 09:00）より前"
    ):
        _file(mito, suzuki, roster, early)
    _nothing_filed()
    same_day = TakeOutPlan(
        destination="市民会館",
        purpose="説明",
        take_out_at=datetime(2026, 12, 10, 23, 30, tzinfo=TOKYO),  # 14:30 UTC, still 10 Dec
        return_on=date(2026, 12, 10),
    )
    assert _file(mito, suzuki, roster, same_day).planned_return_on == date(2026, 12, 10)


def test_other_actions_carry_no_take_out_fields(mito: Any, suzuki: Any, roster: Any) -> None:
    with pytest.raises(ValidationError, match="持ち出しの申請にだけ記入します"):
        _file(mito, suzuki, roster, PLAN, action="asset.dispose")
    _nothing_filed()
    disposal = file(mito, suzuki, "asset.dispose", asset=roster)
    assert (disposal.destination, disposal.planned_take_out_at) == ("", None)


# --- the pages ---------------------------------------------------------------------------


def test_the_form_asks_for_the_take_out_and_refuses_it_incomplete(
    mito: Any, suzuki: Any, roster: Any
) -> None:
    client = client_for(suzuki)
    page = client.get(f"/approvals/new/?asset={roster.pk}").content.decode()
    assert 'id="take-out"' in page
    for label in ("持出先", "目的", "持出予定日時", "返却予定日"):
        assert f">{label}</label>" in page
    assert 'type="datetime-local" name="take_out_at"' in page
    incomplete = {k: v for k, v in FORM.items() if k not in ("destination", "return_on")}
    response = client.post("/approvals/new/", {**incomplete, "asset": roster.pk})
    body = response.content.decode()
    assert response.status_code == 400
    assert "持ち出しの申請には持出先が必要です。" in body
    assert "持ち出しの申請には返却予定日が必要です。" in body
    early = client.post("/approvals/new/", {**FORM, "asset": roster.pk, "return_on": "2026-12-09"})
    assert early.status_code == 400
    assert "返却予定日（2026-12-09）が持出予定日時（2026-12-10 09:00）より前です。" in (
        early.content.decode()
    )
    _nothing_filed()


def test_the_preview_decides_before_the_take_out_is_filled_in(suzuki: Any, roster: Any) -> None:
    response = client_for(suzuki).post(
        "/approvals/preview/", {"action": "asset.take_out", "asset": roster.pk}
    )
    assert response.status_code == 200
    assert "承認が必要" in response.content.decode()


def test_the_approver_sees_where_why_and_when_before_deciding(
    mito: Any, suzuki: Any, sato: Any, roster: Any
) -> None:
    activate_totp(sato)
    response = client_for(suzuki).post("/approvals/new/", {**FORM, "asset": roster.pk})
    filed = Request.objects.get()
    assert response.status_code == 302
    manager = client_for(sato)
    inbox = manager.get("/approvals/inbox/").content.decode()
    assert f'<a href="/approvals/{filed.pk}/">{filed.number}</a>' in inbox
    assert "持出先: 議会棟 第1委員会室" in inbox
    assert "2026-12-10 09:00 〜 2026-12-11" in inbox
    detail = manager.get(f"/approvals/{filed.pk}/").content.decode()
    assert '<dd id="destination">議会棟 第1委員会室</dd>' in detail
    assert '<dd id="purpose">委員会での説明</dd>' in detail
    assert '<dd id="take-out-at">2026-12-10 09:00</dd>' in detail
    assert '<dd id="return-on">2026-12-11</dd>' in detail
    assert "承認する" in detail
    # another action's page has no take-out rows
    other = file(mito, suzuki, "asset.dispose", asset=roster)
    assert 'id="destination"' not in manager.get(f"/approvals/{other.pk}/").content.decode()


# --- the API -----------------------------------------------------------------------------


def _post(client: Client, body: Any) -> Any:
    return client.post("/api/requests", json.dumps(body), content_type="application/json")


def test_the_api_takes_and_shows_the_take_out(
    mito: Any, suzuki: Any, sato: Any, roster: Any
) -> None:
    staff, manager = api_client(token_for(suzuki)), api_client(token_for(sato))
    body = {
        "action": "asset.take_out",
        "asset_id": roster.pk,
        "reason": "委員会資料の作成",
        "confirmed_obligations": ["business-purpose-only"],
        "destination": "議会棟 第1委員会室",
        "purpose": "委員会での説明",
        "planned_take_out_at": "2026-12-10T09:00:00",  # no offset: Japan time
        "planned_return_on": "2026-12-11",
    }
    missing = _post(staff, {**body, "destination": "", "planned_return_on": None})
    assert missing.status_code == 422
    assert "持出先、返却予定日" in missing.json()["detail"]
    early = _post(staff, {**body, "planned_return_on": "2026-12-09"})
    assert early.status_code == 422
    assert (
        "返却予定日（2026-12-09）が持出予定日時（2026-12-10 09:00）より前です。"
        in (early.json()["detail"])
    )
    not_a_take_out = _post(
        staff, {**body, "action": "asset.dispose", "confirmed_obligations": CONFIRMED}
    )
    assert not_a_take_out.status_code == 422
    assert "持ち出しの申請にだけ記入します" in not_a_take_out.json()["detail"]
    _nothing_filed()
    created = _post(staff, body)
    assert created.status_code == 201, created.json()
    answer = created.json()
    assert answer["number"] == first_number()
    assert (answer["destination"], answer["purpose"]) == ("議会棟 第1委員会室", "委員会での説明")
    taken = datetime.fromisoformat(answer["planned_take_out_at"].replace("Z", "+00:00"))
    assert taken == PLAN.take_out_at  # 09:00 in Japan
    assert answer["planned_return_on"] == "2026-12-11"
    [waiting] = manager.get("/api/requests", {"box": "inbox"}).json()["items"]
    assert (waiting["id"], waiting["destination"]) == (answer["id"], "議会棟 第1委員会室")
