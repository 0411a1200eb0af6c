"""A long 情報システム台帳 file (both sheets count) is imported by a background task."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kitei.core.models import ChangeRecord, TaskProgress
from kitei.systems.models import Software, System

from ..conftest import PASSWORD, activate_totp, make_person
from .test_transfer import ADDED, SOFTWARE_ROWS, SYSTEMS, _file, workbook

pytestmark = pytest.mark.django_db


def test_systems_and_software_rows_count_towards_the_threshold(
    settings: Any, mito: Any, somu: Any, sato: Any, suzuki: Any
) -> None:
    settings.IMPORT_TASK_ROWS = 4  # 2 systems + 3 software = 5 rows: in the background
    activate_totp(make_person(mito, "ito", "伊藤 五郎", department=somu, is_org_admin=True))
    client = Client()
    assert client.login(username="ito", password=PASSWORD)
    checked = client.post(
        reverse("systems_import"),
        {"action": "check", "file": _file(workbook(SYSTEMS, SOFTWARE_ROWS))},
    )
    assert "4 行を超えるため、バックグラウンドで取り込みます。" in checked.content.decode()
    done = client.post(
        reverse("systems_import"), {"action": "import", "token": checked.context["token"]}
    )
    item = TaskProgress.objects.get()
    assert done.url == reverse("import_progress", args=[item.pk])  # type: ignore[attr-defined]
    assert (item.kind, item.state, item.done, item.total) == ("systems", "succeeded", 5, 5)
    assert item.summary == ADDED
    assert (System.objects.count(), Software.objects.count()) == (2, 3)
    assert ChangeRecord.objects.filter(action="register_system", actor_name="ito").count() == 2
    page = client.get(done.url).content.decode()  # type: ignore[attr-defined]
    assert "情報システム台帳を見る" in page
