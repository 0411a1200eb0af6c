"""The 情報資産台帳's Excel round trip: export, edit three cells, add two rows, import."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kitei.assets.models import Asset
from kitei.assets.services import update_asset
from kitei.assets.transfer import export_assets, import_assets, read_assets
from kitei.cli import main
from kitei.core.models import ChangeRecord
from kitei.core.roundtrip import CellChange
from kitei.core.services import verify_audit_chain
from kitei.people.services import create_department
from tests.conftest import SETUP

from ..conftest import PASSWORD, activate_totp, make_org, make_person
from .test_transfer import GOOD_ROWS, xlsx

pytestmark = pytest.mark.django_db

NEW_ROWS = [
    [None, "請願書綴", "", "総務課", "", "機密性2", "完全性1", "可用性1", "紙", "書庫", "",
     "5年", "非公開"],
    [None, "広報誌原稿", "", "総務課", "", "1", "1", "1", "電磁的記録", "", "", "1年", "公開"],
]  # fmt: skip


def edited_export(org: Any) -> bytes:
    """The register exported, three cells edited and two rows added, as Excel would save it."""
    book = openpyxl.load_workbook(io.BytesIO(export_assets(org, fmt="xlsx")))
    sheet = book["情報資産台帳"]
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == "議員名簿":
            row[9].value = "議会事務局書庫"  # 保管場所
        if row[1].value == "会議録（原本）":
            row[5].value = "機密性2"  # 機密性 1 → 2
            row[12].value = "非公開"  # 公開区分 公開 → 非公開
    for new in NEW_ROWS:
        sheet.append(new)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def registered(mito: Any, somu: Any, sato: Any, register: Any) -> dict[str, Asset]:
    """mito's register holding the three good rows, by name."""
    assert import_assets(mito, xlsx(GOOD_ROWS), actor=SETUP).ok
    return {a.name: a for a in Asset.objects.filter(organization=mito)}


@pytest.fixture
def register(mito: Any, somu: Any, sato: Any) -> Any:
    from kitei.systems.services import register_system  # noqa: PLC0415

    return register_system(mito, actor=SETUP, name="議会情報システム", department=somu)


def test_export_edit_add_then_import_updates_and_adds(
    mito: Any, sato: Any, registered: dict[str, Asset]
) -> None:
    data = edited_export(mito)
    before = ChangeRecord.objects.filter(organization=mito).count()
    plan = read_assets(mito, data)
    assert plan.ok
    assert plan.summary() == "情報資産: 追加 2 件、変更 2 件、変更なし 1 件"
    changed = {c.pk: c.cells for c in plan.diff.changed}
    assert changed == {
        registered["議員名簿"].pk: (CellChange("保管場所", "サーバ室", "議会事務局書庫"),),
        registered["会議録（原本）"].pk: (
            CellChange("機密性", "機密性1", "機密性2"),
            CellChange("公開区分", "公開", "非公開"),
        ),
    }
    assert (
        ChangeRecord.objects.filter(organization=mito).count() == before
    )  # a check writes nothing

    assert import_assets(mito, data, actor=sato.user).ok
    roster = Asset.objects.get(pk=registered["議員名簿"].pk)
    minutes = Asset.objects.get(pk=registered["会議録（原本）"].pk)
    assert roster.storage_location == "議会事務局書庫"
    assert minutes.classification["confidentiality"] == "2"
    assert minutes.disclosure == "not_public"
    assert Asset.objects.filter(organization=mito).count() == 5
    records = ChangeRecord.objects.filter(organization=mito).order_by("pk")[before:]
    actions = sorted((r.action, r.object_id) for r in records)
    new_ids = [str(a.pk) for a in Asset.objects.filter(name__in=["請願書綴", "広報誌原稿"])]
    assert actions == sorted(
        [
            ("update_asset", str(roster.pk)),
            ("update_asset", str(minutes.pk)),
            ("classify_asset", str(minutes.pk)),
            *(("register_asset", pk) for pk in new_ids),
        ]
    )
    update = next(
        r for r in records if r.action == "update_asset" and r.object_id == str(roster.pk)
    )
    before_row, after_row = json.loads(update.before), json.loads(update.after)
    assert (before_row["storage_location"], after_row["storage_location"]) == (
        "サーバ室",
        "議会事務局書庫",
    )
    assert update.actor_id == sato.user.pk
    assert verify_audit_chain(mito).ok
    # A new export read back changes nothing: the register holds the file's rows.
    again = read_assets(mito, export_assets(mito, fmt="xlsx"))
    assert again.summary() == "情報資産: 追加 0 件、変更 0 件、変更なし 5 件"


def test_unknown_or_foreign_ledger_number_is_an_error_and_nothing_is_written(
    mito: Any, sato: Any, registered: dict[str, Asset]
) -> None:
    other = make_org("mito2", name="水戸市議会（別）")
    dept = create_department(other, actor=SETUP, name="総務課")
    foreign = Asset.objects.create(organization=other, name="他団体", department=dept, form="paper")
    book = openpyxl.load_workbook(io.BytesIO(edited_export(mito)))
    sheet = book["情報資産台帳"]
    sheet["A2"] = 999999
    sheet["A3"] = foreign.pk
    out = io.BytesIO()
    book.save(out)
    before = ChangeRecord.objects.count()
    plan = import_assets(mito, out.getvalue(), actor=sato.user)
    assert [str(e) for e in plan.errors] == [
        "「情報資産台帳」2行目 台帳番号: 台帳番号「999999」はこの組織の台帳にありません。",
        f"「情報資産台帳」3行目 台帳番号: 台帳番号「{foreign.pk}」はこの組織の台帳にありません。",
    ]
    assert ChangeRecord.objects.count() == before
    assert Asset.objects.filter(organization=mito).count() == 3
    assert Asset.objects.get(pk=registered["議員名簿"].pk).storage_location == "サーバ室"


def test_what_a_change_may_not_do(mito: Any, sato: Any, registered: dict[str, Asset]) -> None:
    book = openpyxl.load_workbook(io.BytesIO(export_assets(mito, fmt="xlsx")))
    sheet = book["情報資産台帳"]
    rows = {r[1].value: r for r in sheet.iter_rows(min_row=2)}
    for cell in rows["会議録（原本）"][5:8]:
        cell.value = "不明"
    rows["議員名簿"][1].value = "会議録（原本）"  # now the name of another asset of 総務課
    sheet.append([rows["判断待ちの文書"][0].value, "重複行", "", "総務課", "", "不明", "不明",
                  "不明", "紙"])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    reasons = {(e.line, e.column, e.reason) for e in read_assets(mito, out.getvalue()).errors}
    lines = {r[1].value: r[0].row for r in sheet.iter_rows(min_row=2)}
    assert (lines["重複行"], "台帳番号",
            f"台帳番号「{registered['判断待ちの文書'].pk}」は{lines['判断待ちの文書']}行目と重複しています。"
            ) in reasons  # fmt: skip
    assert any(r[2] == "決定した分類を「不明」に戻すことはできません。" for r in reasons)
    assert any("（総務課）は" in r[2] and "行目と重複しています" in r[2] for r in reasons)


def test_cli_dry_run_lists_each_changed_cell(
    mito: Any, registered: dict[str, Asset], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "edited.xlsx"
    path.write_bytes(edited_export(mito))
    assert main(["assets", "import", "--org", "mito", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    roster = registered["議員名簿"].pk
    sheet = openpyxl.load_workbook(path)["情報資産台帳"]
    line = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[1].value == "議員名簿")
    assert out[0] == (
        "kitei: 誤りはありません。取り込める内容: 情報資産: 追加 2 件、変更 2 件、変更なし 1 件"
    )
    assert (
        f"「情報資産台帳」{line}行目 台帳番号 {roster}（議員名簿）: "
        "保管場所: 「サーバ室」→「議会事務局書庫」" in out
    )
    assert len(out) == 4  # the summary and the three changed cells
    assert Asset.objects.get(pk=roster).storage_location == "サーバ室"


def test_page_shows_the_changes_and_imports_exactly_them(
    mito: Any, somu: Any, registered: dict[str, Asset]
) -> None:
    admin = make_person(mito, "ito", "伊藤 五郎", department=somu, is_org_admin=True)
    activate_totp(admin)
    client = Client()
    assert client.login(username="ito", password=PASSWORD)
    data = edited_export(mito)
    checked = client.post("/assets/import/", {"file": SimpleUploadedFile("台帳.xlsx", data)})
    page = checked.content.decode()
    assert checked.status_code == 200
    for text in ("追加: 2 件", "変更: 2 件", "変更なし: 1 件", "議会事務局書庫"):
        assert text in page
    assert "台帳にあってファイルにない行は、そのまま残ります" in page
    token = checked.context["token"]
    # The register changes between the check and the confirmation: nothing is written.
    roster = registered["議員名簿"]
    update_asset(roster, actor=SETUP, retention="10年")
    refused = client.post("/assets/import/", {"action": "import", "token": token})
    assert refused.status_code == 400
    assert "確認の後で台帳が変わったため、何も取り込んでいません。" in refused.content.decode()
    assert Asset.objects.filter(organization=mito).count() == 3
    # Checked again, the page shows the new outcome, and imports it.
    checked = client.post("/assets/import/", {"file": SimpleUploadedFile("台帳.xlsx", data)})
    assert "10年" in checked.content.decode()  # 保存期間 10年 → 5年 is now a change too
    done = client.post("/assets/import/", {"action": "import", "token": checked.context["token"]})
    assert done.status_code == 302
    assert Asset.objects.filter(organization=mito).count() == 5
    assert Asset.objects.get(pk=roster.pk).storage_location == "議会事務局書庫"


def test_a_long_file_changes_and_adds_in_the_background(
    settings: Any, mito: Any, somu: Any, registered: dict[str, Asset]
) -> None:
    """Above KITEI_IMPORT_TASK_ROWS the task writes exactly what the page showed."""
    from kitei.core.models import TaskProgress  # noqa: PLC0415

    settings.IMPORT_TASK_ROWS = 2  # five rows: in the background
    activate_totp(make_person(mito, "ito", "伊藤 五郎", department=somu, is_org_admin=True))
    client = Client()
    assert client.login(username="ito", password=PASSWORD)
    data = edited_export(mito)
    checked = client.post("/assets/import/", {"file": SimpleUploadedFile("台帳.xlsx", data)})
    assert "バックグラウンドで取り込みます" in checked.content.decode()
    client.post("/assets/import/", {"action": "import", "token": checked.context["token"]})
    item = TaskProgress.objects.get()
    assert (item.state, item.total) == ("succeeded", 5)
    assert item.summary == "情報資産: 追加 2 件、変更 2 件、変更なし 1 件"
    assert Asset.objects.get(pk=registered["議員名簿"].pk).storage_location == "議会事務局書庫"
    actions = ChangeRecord.objects.filter(organization=mito, actor_name="ito")
    assert sorted(actions.values_list("action", flat=True)) == sorted([
        "classify_asset", "register_asset", "register_asset", "update_asset", "update_asset",
        "start_import",
    ])  # fmt: skip
