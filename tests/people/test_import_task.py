"""A long people register file is imported by a background task; passwords are shown once.

KITEI_IMPORT_TASK_ROWS is lowered to 2 here, so that a three-row file is "long".
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kitei.core.models import ChangeRecord, TaskProgress
from kitei.people.models import Person

from .conftest import client_for

pytestmark = pytest.mark.django_db

FILE = (
    "氏名,ユーザー名,所属,役職,メールアドレス,役割,組織管理者\r\n"
    "高橋 健太,takahashi,総務課,課長,,情報セキュリティ管理者・議員及び職員,いいえ\r\n"
    "山本 誠,,総務課,,,,\r\n"
    "中村 陽子,,議事課,,,,\r\n"
)
PASSWORD_CELL = re.compile(r'<code class="password">([^<]+)</code>')


@pytest.fixture(autouse=True)
def long_above_two(settings: Any) -> None:
    settings.IMPORT_TASK_ROWS = 2


def _post(client: Any, action: str = "import") -> Any:
    upload = SimpleUploadedFile("名簿.csv", FILE.encode(), content_type="text/csv")
    return client.post(
        "/people/import/", {"file": upload, "action": action, "create_departments": "on"}
    )


def test_a_long_file_is_imported_by_a_task_with_its_passwords_shown_once(
    mito: Any, somu: Any, ito: Any
) -> None:
    client = client_for("ito")
    assert "2 行を超えるファイルは、バックグラウンドで取り込みます" in (
        client.get("/people/import/").content.decode()
    )
    response = _post(client)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "3 行あるため、バックグラウンドで取り込みます。" in html
    [password] = PASSWORD_CELL.findall(html)
    item = TaskProgress.objects.get()
    # The test settings run a task at once: it has finished.
    assert (item.kind, item.state, item.done, item.total) == ("people", "succeeded", 3, 3)
    assert item.file_name == "名簿.csv"
    assert item.options == {}  # the hashes are dropped with the file
    assert bytes(item.upload) == b""
    assert (
        "取り込みました: 職員: 追加 3 件、変更 0 件、変更なし 0 件"
        "（アカウント 1、役割の割当て 2）、新しい部署: 議事課" in html
    )
    takahashi = Person.objects.get(user__username="takahashi")
    assert takahashi.must_change_password
    assert authenticate(username="takahashi", password=password) == takahashi.user
    assert password not in str(list(ChangeRecord.objects.values_list("after", flat=True)))
    assert ChangeRecord.objects.filter(action="create_person", actor_name="ito").count() == 3
    page = client.get(reverse("import_progress", args=[item.pk])).content.decode()
    assert "取り込みました: 職員: 追加 3 件" in page
    assert password not in page  # shown once, on the page that started the import


def test_the_dry_run_of_a_long_file_starts_nothing(mito: Any, somu: Any, ito: Any) -> None:
    response = _post(client_for("ito"), action="check")
    assert response.status_code == 200
    assert not TaskProgress.objects.exists()
    assert not Person.objects.filter(name="高橋 健太").exists()


def test_a_short_file_is_imported_at_once(settings: Any, mito: Any, somu: Any, ito: Any) -> None:
    settings.IMPORT_TASK_ROWS = 3
    response = _post(client_for("ito"))
    assert response.status_code == 200
    assert "職員名簿を取り込みました" in response.content.decode()
    assert not TaskProgress.objects.exists()
    assert Person.objects.filter(name="中村 陽子").exists()
