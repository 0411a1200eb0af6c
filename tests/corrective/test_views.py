"""The corrective action pages and API: list scopes, overdue, the owner's steps, another
organisation's action as 404, the home line counting what its list shows."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from kitei.corrective import services
from kitei.corrective.choices import ActionState
from kitei.corrective.models import CorrectiveAction

from ..api.conftest import api_client, token_for
from ..conftest import PDF, make_org, make_person, upload
from .conftest import client_for

pytestmark = pytest.mark.django_db


def _raise(org: Any, actor: Any, owner: Any, due: date | None, title: str = "貼り紙の撤去") -> Any:
    return services.raise_action(org, None, title, owner, due, actor=actor.user)


def test_lists_mine_my_department_and_all_with_overdue_marked(
    mito: Any, sato: Any, suzuki: Any, kimura: Any, ito: Any
) -> None:
    late = _raise(mito, ito, sato, date(2026, 4, 1), "期限切れの措置")
    _raise(mito, ito, kimura, None, "他課の措置")
    page = client_for(sato).get("/corrective/?scope=mine").content.decode()
    assert "期限切れの措置" in page
    assert "他課の措置" not in page
    assert f'id="action-{late.pk}" class="overdue"' in page
    assert "期限超過" in page
    department = client_for(suzuki).get("/corrective/?scope=department").content.decode()
    assert "期限切れの措置" in department
    assert "他課の措置" not in department
    assert client_for(suzuki).get("/corrective/?scope=all").status_code == 403
    everything = client_for(ito).get("/corrective/?scope=all").content.decode()
    assert "期限切れの措置" in everything
    assert "他課の措置" in everything


def test_the_owner_works_the_action_on_its_page_and_another_verifies(
    mito: Any, sato: Any, ito: Any, evidence_dir: Path
) -> None:
    action = _raise(mito, ito, sato, None)
    owner = client_for(sato)
    assert "未設定" in owner.get(f"/corrective/{action.pk}/").content.decode()
    refused = owner.post(f"/corrective/{action.pk}/report/", {"report-note": "完了"})
    assert refused.status_code == 400
    assert "証拠ファイルを添付してから" in refused.content.decode()
    assert (
        owner.post(f"/corrective/{action.pk}/progress/", {"progress-note": "着手"}).status_code
        == 302
    )
    attached = owner.post(
        f"/corrective/{action.pk}/evidence/",
        {"evidence_date": timezone.localdate().isoformat(), "file": upload("写真.pdf", PDF)},
    )
    assert attached.status_code == 302
    assert (
        owner.post(f"/corrective/{action.pk}/report/", {"report-note": "完了"}).status_code == 302
    )
    # The owner is offered no verification and a posted one is refused.
    assert 'id="verify"' not in owner.get(f"/corrective/{action.pk}/").content.decode()
    assert (
        owner.post(f"/corrective/{action.pk}/verify/", {"verify-decision": "verify"}).status_code
        == 403
    )
    verifier = client_for(ito)
    assert 'id="verify"' in verifier.get(f"/corrective/{action.pk}/").content.decode()
    done = verifier.post(
        f"/corrective/{action.pk}/verify/",
        {"verify-decision": "verify", "verify-effectiveness": "再発なし"},
    )
    assert done.status_code == 302
    action.refresh_from_db()
    assert action.state == ActionState.VERIFIED


def test_another_organisations_action_is_404(mito: Any, sato: Any, ito: Any) -> None:
    other = make_org("other", "mito-city-council", "別の議会")
    boss = make_person(other, "boss", "別 組織", is_org_admin=True)
    theirs = services.raise_action(other, None, "他組織の措置", boss, None, actor=boss.user)
    assert client_for(ito).get(f"/corrective/{theirs.pk}/").status_code == 404


def test_a_member_of_another_department_does_not_see_the_action(
    mito: Any, sato: Any, kimura: Any, ito: Any
) -> None:
    action = _raise(mito, ito, sato, None)
    assert client_for(kimura).get(f"/corrective/{action.pk}/").status_code == 404


def test_the_home_line_counts_what_its_list_shows(mito: Any, sato: Any, ito: Any) -> None:
    _raise(mito, ito, sato, timezone.localdate() - timedelta(days=1), "遅れ")
    _raise(mito, ito, sato, None, "期限なし")
    client = client_for(sato)
    home = client.get("/").content.decode()
    line = home.split('id="waiting-corrective"')[1].split("</li>", maxsplit=1)[0]
    assert ">2<" in line.replace(" ", "")
    late = home.split('id="waiting-corrective-overdue"')[1].split("</li>", maxsplit=1)[0]
    assert ">1<" in late.replace(" ", "")
    listed = client.get("/corrective/?scope=mine&overdue=1").content.decode()
    assert listed.count('class="overdue"') == 1


def test_the_api_lists_the_callers_actions(mito: Any, sato: Any, suzuki: Any, ito: Any) -> None:
    _raise(mito, ito, sato, date(2026, 4, 1))
    client = api_client(token_for(sato))
    rows = client.get("/api/corrective?scope=mine").json()
    assert [(r["owner"], r["overdue"], r["due_on"]) for r in rows] == [
        ("佐藤 一郎", True, "2026-04-01")
    ]
    assert client.get("/api/corrective?scope=nowhere").status_code == 422
    assert api_client(token_for(suzuki)).get("/api/corrective?scope=all").status_code == 403
    assert CorrectiveAction.objects.count() == 1


def test_an_actions_evidence_is_read_only_by_those_who_see_the_action(
    mito: Any, sato: Any, kimura: Any, ito: Any, evidence_dir: Path
) -> None:
    from kitei.core.models import EvidenceFile  # noqa: PLC0415

    action = _raise(mito, ito, sato, None)
    owner = client_for(sato)
    owner.post(
        f"/corrective/{action.pk}/evidence/",
        {"evidence_date": timezone.localdate().isoformat(), "file": upload("写真.pdf", PDF)},
    )
    evidence = EvidenceFile.objects.get(supports_id=action.pk)
    url = f"/evidence/{evidence.pk}/"
    assert owner.get(url).status_code == 200
    assert client_for(ito).get(url).status_code == 200  # corrective.view_all
    assert client_for(kimura).get(url).status_code == 404  # another 課: as the action's page
