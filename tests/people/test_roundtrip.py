"""The 職員名簿's Excel round trip: export, edit three cells, add two rows, import."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kitei.cli import main
from kitei.core.models import ChangeRecord
from kitei.core.roundtrip import CellChange
from kitei.core.services import verify_audit_chain
from kitei.people.csv_import import import_file, read_people_csv
from kitei.people.models import Person
from kitei.people.register_sheet import export_people
from kitei.people.services import update_person
from tests.conftest import SETUP

from ..conftest import make_org, make_person
from .conftest import client_for

pytestmark = pytest.mark.django_db


def edited_export(org: Any) -> bytes:
    """Exported; three cells edited (役職 and メールアドレス of sato, 組織管理者 of suzuki);
    two people added (one with an account)."""
    book = openpyxl.load_workbook(io.BytesIO(export_people(org, fmt="xlsx")))
    sheet = book["職員名簿"]
    assert [c.value for c in sheet[1]] == [
        "台帳番号", "氏名", "ユーザー名", "所属", "役職", "メールアドレス", "役割", "対象システム",
        "組織管理者",
    ]  # fmt: skip
    for row in sheet.iter_rows(min_row=2):
        if row[2].value == "sato":
            row[4].value = "課長"
            row[5].value = "sato@example.jp"
        if row[2].value == "suzuki":
            row[8].value = "はい"
    sheet.append([None, "高橋 健太", "takahashi", "総務課", "主事", "", "", "", "いいえ"])
    sheet.append([None, "山本 誠", None, "総務課", None, None, None, None, None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_export_edit_add_then_import_updates_and_adds(
    mito: Any, somu: Any, sato: Any, suzuki: Any, tanaka: Any
) -> None:
    data = edited_export(mito)
    before = ChangeRecord.objects.filter(organization=mito).count()
    plan = read_people_csv(mito, data)
    assert plan.ok, plan.errors
    assert plan.summary() == (
        "職員: 追加 2 件、変更 2 件、変更なし 1 件（アカウント 1、役割の割当て 0）"
    )
    assert {c.pk: c.cells for c in plan.diff.changed} == {
        sato.pk: (
            CellChange("役職", "", "課長"),
            CellChange("メールアドレス", "", "sato@example.jp"),
        ),
        suzuki.pk: (CellChange("組織管理者", "いいえ", "はい"),),
    }
    assert ChangeRecord.objects.filter(organization=mito).count() == before

    plan, accounts = import_file(mito, data, actor=SETUP)
    assert plan.ok
    assert [a.username for a in accounts] == ["takahashi"]
    sato.refresh_from_db()
    suzuki.refresh_from_db()
    assert (sato.position, sato.email, suzuki.is_org_admin) == ("課長", "sato@example.jp", True)
    assert Person.objects.filter(organization=mito).count() == 5
    records = list(ChangeRecord.objects.filter(organization=mito).order_by("pk")[before:])
    updates = {r.object_id: r for r in records if r.action == "update_person"}
    assert set(updates) == {str(sato.pk), str(suzuki.pk)}
    assert json.loads(updates[str(suzuki.pk)].before)["is_org_admin"] is False
    assert json.loads(updates[str(suzuki.pk)].after)["is_org_admin"] is True
    assert sum(r.action == "create_person" for r in records) == 2
    assert verify_audit_chain(mito).ok
    again = read_people_csv(mito, export_people(mito, fmt="xlsx"))
    assert again.diff.summary() == "追加 0 件、変更 0 件、変更なし 5 件"


def test_unknown_ledger_number_or_a_change_of_roles_is_an_error_and_nothing_is_written(
    mito: Any, somu: Any, sato: Any, suzuki: Any
) -> None:
    other = make_org("mito2", name="水戸市議会（別）")
    stranger = make_person(other, "stranger", "他団体 職員")
    book = openpyxl.load_workbook(io.BytesIO(edited_export(mito)))
    sheet = book["職員名簿"]
    rows = {r[2].value: r for r in sheet.iter_rows(min_row=2)}
    rows["sato"][6].value = "職員"  # 役割: changed on the person's page
    rows["suzuki"][0].value = stranger.pk
    out = io.BytesIO()
    book.save(out)
    before = ChangeRecord.objects.count()
    plan, _accounts = import_file(mito, out.getvalue(), actor=SETUP)
    reasons = {(e.line, e.column, e.reason) for e in plan.errors}
    assert reasons == {
        (rows["sato"][0].row, "役割", "登録済みの職員の役割は、職員の画面で変更してください。"),
        (
            rows["suzuki"][0].row,
            "台帳番号",
            f"台帳番号「{stranger.pk}」はこの組織の台帳にありません。",
        ),
    }
    assert ChangeRecord.objects.count() == before
    sato.refresh_from_db()
    assert sato.position == ""
    assert not Person.objects.filter(name="高橋 健太").exists()


def test_cli_export_and_dry_run(
    mito: Any, sato: Any, suzuki: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "people.xlsx"
    assert main(["people", "export", "--org", "mito", str(exported)]) == 0
    assert openpyxl.load_workbook(exported)["職員名簿"].max_row == 3
    edited = tmp_path / "edited.xlsx"
    edited.write_bytes(edited_export(mito))
    capsys.readouterr()
    assert main(["people", "import", "--org", "mito", str(edited), "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any(
        line.endswith(f"台帳番号 {suzuki.pk}（鈴木 花子）: 組織管理者: 「いいえ」→「はい」")
        for line in out
    )
    suzuki.refresh_from_db()
    assert suzuki.is_org_admin is False


def test_page_shows_the_changes_and_imports_exactly_them(
    mito: Any, somu: Any, sato: Any, suzuki: Any, ito: Any
) -> None:
    client = client_for("ito")
    data = edited_export(mito)
    checked = client.post("/people/import/", {"file": SimpleUploadedFile("名簿.xlsx", data)})
    page = checked.content.decode()
    assert checked.status_code == 200, page[-3000:]
    for text in (
        "追加: 2 件",
        "変更: 2 件",
        "sato@example.jp",
        "ファイルにない行は、そのまま残ります",
    ):
        assert text in page
    content, fingerprint = checked.context["content"], checked.context["fingerprint"]
    update_person(suzuki, actor=SETUP, position="係長")  # the register changes meanwhile
    refused = client.post(
        "/people/import/", {"action": "import", "content": content, "fingerprint": fingerprint}
    )
    assert refused.status_code == 400
    assert "確認の後で台帳が変わったため、何も取り込んでいません。" in refused.content.decode()
    assert not Person.objects.filter(name="高橋 健太").exists()
    export = client.get("/people/export/", {"format": "csv"})
    assert export.content.decode("utf-8-sig").startswith("台帳番号,氏名,ユーザー名")
