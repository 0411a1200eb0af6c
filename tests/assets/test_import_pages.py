"""The 情報資産台帳 import and export pages: check, then import the kept file; downloads."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kitei.assets.models import Asset
from kitei.core.models import ChangeRecord
from kitei.people.services import create_department
from kitei.systems.services import register_system
from tests.conftest import SETUP

from ..conftest import PASSWORD, activate_totp, make_person
from .test_transfer import BAD_ROWS, GOOD_ROWS, xlsx

pytestmark = pytest.mark.django_db


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def ito(mito: Any, somu: Any, sato: Any) -> Any:
    """伊藤, organisation administrator of mito, with the system the good rows name."""
    register_system(mito, actor=SETUP, name="議会情報システム", department=somu)
    person = make_person(mito, "ito", "伊藤 五郎", department=somu, is_org_admin=True)
    activate_totp(person)
    return person


def _file(data: bytes, name: str = "台帳.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _kept() -> list[Path]:
    return list((Path(settings.DATA_DIR) / "uploads").glob("*.upload"))


def test_check_shows_each_bad_row_and_writes_nothing(mito: Any, ito: Any) -> None:
    client = client_for("ito")
    page = client.get(reverse("assets_import"))
    assert page.status_code == 200
    assert "<code>機密性</code>" in page.content.decode()
    before = ChangeRecord.objects.count()
    response = client.post(
        reverse("assets_import"), {"action": "check", "file": _file(xlsx(BAD_ROWS))}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "誤りが 11 件あります。何も取り込んでいません。" in html
    assert "<td>3</td><td>所管部署</td><td>部署「広報課」はありません。</td>" in html
    assert 'name="token"' not in html
    assert (Asset.objects.count(), ChangeRecord.objects.count()) == (0, before)


def test_a_valid_file_is_kept_then_imported_by_its_token(mito: Any, ito: Any, sato: Any) -> None:
    client = client_for("ito")
    response = client.post(
        reverse("assets_import"), {"action": "check", "file": _file(xlsx(GOOD_ROWS))}
    )
    assert response.status_code == 200
    assert (
        "「台帳.xlsx」に誤りはありません。取り込める内容: "
        "情報資産: 追加 3 件、変更 0 件、変更なし 0 件" in response.content.decode()
    )
    token = response.context["token"]
    assert Asset.objects.count() == 0
    assert len(_kept()) == 1
    # Another session (of a keeper who may import) cannot use the token.
    activate_totp(sato)
    other = client_for("sato").post(reverse("assets_import"), {"action": "import", "token": token})
    assert other.status_code == 400
    done = client.post(reverse("assets_import"), {"action": "import", "token": token})
    assert done.status_code == 302
    assert done.url == reverse("assets:list")  # type: ignore[attr-defined]
    assert Asset.objects.count() == 3
    assert ChangeRecord.objects.filter(action="register_asset", actor_name="ito").count() == 3
    assert _kept() == []
    listing = client.get(reverse("assets:list"))
    assert (
        "取り込みました: 情報資産: 追加 3 件、変更 0 件、変更なし 0 件" in listing.content.decode()
    )
    assert "議員名簿" in listing.content.decode()
    again = client.post(reverse("assets_import"), {"action": "import", "token": token})
    assert again.status_code == 400
    assert "確認したファイルが見つかりません" in again.content.decode()
    assert Asset.objects.count() == 3


def test_department_keepers_import_only_their_departments(mito: Any, somu: Any, sato: Any) -> None:
    create_department(mito, actor=SETUP, name="議事課")
    activate_totp(sato)
    rows = [["予算書", "", "議事課", "", "2", "1", "1", "紙", "", "", "", ""], GOOD_ROWS[2]]
    response = client_for("sato").post(
        reverse("assets_import"), {"action": "check", "file": _file(xlsx(rows))}
    )
    assert response.status_code == 400
    assert "この部署の情報資産を登録する権限がありません。" in response.content.decode()
    assert [(e.line, e.column) for e in response.context["errors"]] == [(2, "所管部署")]


def test_staff_may_export_but_not_import(mito: Any, ito: Any, suzuki: Any) -> None:
    client_for("ito").post(
        reverse("assets_import"), {"action": "check", "file": _file(xlsx(GOOD_ROWS))}
    )
    staff = client_for("suzuki")
    assert staff.get(reverse("assets_import")).status_code == 403
    download = staff.get(reverse("assets_export"))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment; filename*=utf-8''" in download["Content-Disposition"]
    assert download["Content-Disposition"].endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    assert book.sheetnames == ["情報資産台帳"]
    csv = staff.get(reverse("assets_export"), {"format": "csv"})
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    assert csv.content.startswith(b"\xef\xbb\xbf")


def test_checking_a_file_costs_the_same_queries_whatever_its_length(
    mito: Any, ito: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for("ito")
    rows = [[f"文書{i}", *GOOD_ROWS[1][1:]] for i in range(300)]
    with django_assert_max_num_queries(20):
        response = client.post(
            reverse("assets_import"), {"action": "check", "file": _file(xlsx(rows))}
        )
    assert response.status_code == 200
    assert response.context["plan"].summary() == "情報資産: 追加 300 件、変更 0 件、変更なし 0 件"


def test_bad_uploads(mito: Any, ito: Any) -> None:
    client = client_for("ito")
    empty = client.post(reverse("assets_import"), {"action": "check"})
    assert empty.status_code == 400
    assert "このフィールドは必須です。" in empty.content.decode()
    garbage = client.post(
        reverse("assets_import"), {"action": "check", "file": _file(b"PK\x03\x04junk")}
    )
    assert garbage.status_code == 400
    damaged = "ファイルを読み取れません（破損しているか、Excel 形式ではありません）。"
    assert damaged in garbage.content.decode()
