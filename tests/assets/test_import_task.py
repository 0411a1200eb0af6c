"""A long 情報資産台帳 file is imported by a background task whose progress the page shows.

KITEI_IMPORT_TASK_ROWS is lowered to 2 here, so that the three good rows are "long".
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from kitei.assets.models import Asset
from kitei.assets.services import register_asset
from kitei.cli import main
from kitei.core.models import ChangeRecord, TaskProgress
from kitei.people.models import Person
from kitei.systems.services import register_system
from tests.conftest import SETUP

from ..conftest import activate_totp, make_person
from .test_import_pages import _file, _kept, client_for
from .test_transfer import GOOD_ROWS, xlsx


@pytest.fixture(autouse=True)
def long_above_two(settings: Any) -> None:
    settings.IMPORT_TASK_ROWS = 2


@pytest.fixture
def ito(mito: Any, somu: Any, sato: Any) -> Any:
    """伊藤, organisation administrator of mito, with the system the good rows name."""
    register_system(mito, actor=SETUP, name="議会情報システム", department=somu)
    person = make_person(mito, "ito", "伊藤 五郎", department=somu, is_org_admin=True)
    activate_totp(person)
    return person


@pytest.fixture
def database_tasks(settings: Any) -> None:
    """Tasks wait in the database until a worker runs them, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _start(client: Client, rows: list[list[str]] = GOOD_ROWS) -> Any:
    """Check the file, then press 「取り込む」; returns the second response."""
    checked = client.post(reverse("assets_import"), {"action": "check", "file": _file(xlsx(rows))})
    assert checked.status_code == 200
    return client.post(
        reverse("assets_import"), {"action": "import", "token": checked.context["token"]}
    )


def _actions() -> list[tuple[str, str]]:
    return list(ChangeRecord.objects.order_by("seq").values_list("action", "actor_name"))


@pytest.mark.django_db
def test_the_check_says_the_import_will_run_in_the_background(mito: Any, ito: Any) -> None:
    response = client_for("ito").post(
        reverse("assets_import"), {"action": "check", "file": _file(xlsx(GOOD_ROWS))}
    )
    assert "2 行を超えるため、バックグラウンドで取り込みます。" in response.content.decode()


@pytest.mark.django_db
def test_a_long_file_is_imported_by_a_task(mito: Any, ito: Any) -> None:
    client = client_for("ito")
    kept_before = set(_kept())
    response = _start(client)
    item = TaskProgress.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("import_progress", args=[item.pk])  # type: ignore[attr-defined]
    # The test settings run a task at once: it has finished.
    assert (item.state, item.done, item.total, item.kind) == ("succeeded", 3, 3, "assets")
    assert (item.organization, item.started_by, item.file_name) == (mito, ito.user, "台帳.xlsx")
    assert (bytes(item.upload), item.options) == (b"", {})  # the file is not kept
    assert item.summary == "情報資産: 追加 3 件、変更 0 件、変更なし 0 件"
    assert Asset.objects.filter(organization=mito).count() == 3
    assert set(_kept()) == kept_before  # nor left in the uploads folder
    actions = _actions()
    assert ("start_import", "ito") in actions
    assert actions.count(("register_asset", "ito")) == 3  # as the member who started it
    assert actions[-1] == ("finish_import", "task:run_import (enqueued by ito)")
    page = client.get(response.url).content.decode()  # type: ignore[attr-defined]
    assert "取り込みました: 情報資産: 追加 3 件、変更 0 件、変更なし 0 件" in page
    assert 'hx-trigger="every 2s"' not in page  # finished: no more polling


@pytest.mark.django_db
def test_a_short_file_is_imported_at_once(settings: Any, mito: Any, ito: Any) -> None:
    settings.IMPORT_TASK_ROWS = 3
    response = _start(client_for("ito"))
    assert response.url == reverse("assets:list")  # type: ignore[attr-defined]
    assert not TaskProgress.objects.exists()
    assert Asset.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_page_shows_the_queued_import_until_the_worker_ran_it(
    database_tasks: None, mito: Any, ito: Any
) -> None:
    client = client_for("ito")
    url = _start(client).url  # type: ignore[attr-defined]
    item = TaskProgress.objects.get()
    assert item.state == "queued"
    assert DBTaskResult.objects.get().id.hex == item.task_id.replace("-", "")
    page = client.get(url).content.decode()
    assert "<html" in page
    assert "順番を待っています" in page
    assert f'hx-get="{url}" hx-trigger="every 2s"' in page
    polled = client.get(url, headers={"HX-Request": "true"})
    assert polled["Cache-Control"] == "no-store"
    part = polled.content.decode()
    assert "<html" not in part
    assert part.lstrip().startswith('<section class="card" id="import-progress"')
    assert Asset.objects.count() == 0
    assert main(["worker", "--once"]) == 0
    item.refresh_from_db()
    assert (item.state, item.done, item.total) == ("succeeded", 3, 3)
    assert Asset.objects.count() == 3
    part = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "取り込みました: 情報資産: 追加 3 件、変更 0 件、変更なし 0 件" in part
    assert "hx-trigger" not in part
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_the_task_refuses_when_the_starter_lost_the_permission(
    database_tasks: None, mito: Any, ito: Any
) -> None:
    client = client_for("ito")
    url = _start(client).url  # type: ignore[attr-defined]
    Person.objects.filter(pk=ito.pk).update(is_org_admin=False)  # no longer keeps the register
    assert main(["worker", "--once"]) == 0
    item = TaskProgress.objects.get()
    assert item.state == "refused"
    assert "の権限がありません" in item.errors[0]
    assert (bytes(item.upload), Asset.objects.count()) == (b"", 0)
    actions = [a for a, _who in _actions()]
    assert "register_asset" not in actions
    assert actions[-1] == "finish_import"
    # The page, too, is for those who may import into the register.
    assert client.get(url).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_the_task_refuses_when_the_starter_was_deactivated(
    database_tasks: None, mito: Any, ito: Any
) -> None:
    _start(client_for("ito"))
    type(ito.user).objects.filter(pk=ito.user.pk).update(is_active=False)
    assert main(["worker", "--once"]) == 0
    item = TaskProgress.objects.get()
    assert item.state == "refused"
    [reason] = item.errors
    assert reason.endswith("取り込みを始めた利用者のアカウントが無効です。")
    assert Asset.objects.count() == 0


@pytest.mark.django_db
def test_rows_that_became_invalid_are_listed_and_nothing_is_written(
    mito: Any, ito: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kitei.assets import transfer  # noqa: PLC0415

    original = transfer.read_assets
    calls: list[int] = []

    def register_meanwhile(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:  # another keeper registered 議員名簿 between check and task
            register_asset(
                mito,
                actor=SETUP,
                name="議員名簿",
                department=ito.department,
                form="paper",
                classification={"機密性": "1", "完全性": "1", "可用性": "1"},
            )
        return original(*args, **kwargs)

    monkeypatch.setattr(transfer, "read_assets", register_meanwhile)
    url = _start(client_for("ito")).url  # type: ignore[attr-defined]
    item = TaskProgress.objects.get()
    assert item.state == "invalid"
    assert item.error_count == 1
    assert "既に台帳にあります" in item.errors[0]
    assert Asset.objects.count() == 1
    page = client_for("ito").get(url).content.decode()
    assert "何も取り込んでいません。" in page
    assert "既に台帳にあります" in page


@pytest.mark.django_db
def test_the_progress_page_stays_in_its_organisation(
    mito: Any, ito: Any, toyama: Any, suzuki: Any
) -> None:
    url = _start(client_for("ito")).url  # type: ignore[attr-defined]
    other = make_person(toyama, "toyama_admin", "富山 管理", is_org_admin=True)
    activate_totp(other)
    assert client_for("toyama_admin").get(url).status_code == 404
    assert client_for("suzuki").get(url).status_code == 403  # staff: may not import
