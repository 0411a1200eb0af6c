"""The 情報システム台帳's Excel round trip: export, edit three cells, add two rows, import."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from kitei.cli import main
from kitei.core.models import ChangeRecord
from kitei.core.roundtrip import CellChange
from kitei.core.services import verify_audit_chain
from kitei.systems.import_task import may_manage_for
from kitei.systems.models import Software, System
from kitei.systems.transfer import export_systems, import_systems, read_systems
from tests.conftest import SETUP

from ..conftest import make_org, make_person
from .test_transfer import SOFTWARE_ROWS, SYSTEMS, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(mito: Any, somu: Any, sato: Any, suzuki: Any) -> Any:
    """mito's register with the two systems and three pieces of software."""
    assert import_systems(mito, workbook(SYSTEMS, SOFTWARE_ROWS), actor=SETUP).ok
    return mito


def edited_export(org: Any) -> bytes:
    """Exported; three cells edited (two systems cells, one software cell); two rows added."""
    book = openpyxl.load_workbook(io.BytesIO(export_systems(org, fmt="xlsx")))
    systems, software = book["情報システム台帳"], book["ソフトウェア"]
    for row in systems.iter_rows(min_row=2):
        if row[1].value == "議会情報システム":
            row[8].value = "二要素認証・ログの定期点検"  # セキュリティ要件
        if row[1].value == "会議録検索":
            row[6].value = "いいえ"  # 外部サービス はい → いいえ
    for row in software.iter_rows(min_row=2):
        if row[2].value == "PostgreSQL":
            row[4].value = date(2029, 11, 8)  # サポート終了日
    systems.append([None, "議会中継配信", "総務課", "", "", "internet", "はい", "", "", None])
    software.append([None, "議会中継配信", "配信サーバ", "3", "2030-01-31"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_export_edit_add_then_import_updates_and_adds(cast: Any, somu: Any, sato: Any) -> None:
    ito = make_person(cast, "ito", "伊藤 五郎", department=somu, is_org_admin=True)
    data = edited_export(cast)
    before = ChangeRecord.objects.filter(organization=cast).count()
    plan = read_systems(cast, data)
    assert plan.ok, plan.errors
    assert plan.summary() == (
        "情報システム: 追加 1 件、変更 2 件、変更なし 0 件／"
        "ソフトウェア: 追加 1 件、変更 1 件、変更なし 2 件"
    )
    gijika = System.objects.get(name="議会情報システム")
    search = System.objects.get(name="会議録検索")
    postgres = Software.objects.get(name="PostgreSQL")
    assert {c.pk: c.cells for c in plan.diff.changed} == {
        gijika.pk: (CellChange("セキュリティ要件", "二要素認証", "二要素認証・ログの定期点検"),),
        search.pk: (CellChange("外部サービス", "はい", "いいえ"),),
        postgres.pk: (CellChange("サポート終了日", "2028-11-09", "2029-11-08"),),
    }
    assert ChangeRecord.objects.filter(organization=cast).count() == before

    # sato keeps 議会情報システム only: changing 会議録検索 and adding a system without him as
    # its 管理者 are refused.
    refused = read_systems(cast, data, may_manage=may_manage_for(sato.user, cast))
    assert [str(e) for e in refused.errors] == [
        "「情報システム台帳」2行目 名称: この情報システムを変更する権限がありません。",
        "「情報システム台帳」4行目 名称: この情報システムを登録する権限がありません。",
    ]
    assert import_systems(cast, data, actor=ito.user).ok
    gijika.refresh_from_db()
    search.refresh_from_db()
    postgres.refresh_from_db()
    assert gijika.security_requirements == "二要素認証・ログの定期点検"
    assert search.is_external_service is False
    assert postgres.end_of_support == date(2029, 11, 8)
    live = System.objects.get(name="議会中継配信")
    assert list(live.software.values_list("name", "version")) == [("配信サーバ", "3")]
    records = list(ChangeRecord.objects.filter(organization=cast).order_by("pk")[before:])
    assert sorted((r.action, r.object_id) for r in records) == sorted(
        [
            ("update_system", str(gijika.pk)),
            ("update_system", str(search.pk)),
            ("update_software", str(postgres.pk)),
            ("register_system", str(live.pk)),
            ("add_software", str(live.software.get().pk)),
        ]
    )
    change = next(r for r in records if r.action == "update_software")
    assert json.loads(change.before)["end_of_support"] == "2028-11-09"
    assert json.loads(change.after)["end_of_support"] == "2029-11-08"
    assert change.actor_id == ito.user.pk
    assert verify_audit_chain(cast).ok
    again = read_systems(cast, export_systems(cast, fmt="xlsx"))
    assert again.summary() == (
        "情報システム: 追加 0 件、変更 0 件、変更なし 3 件／"
        "ソフトウェア: 追加 0 件、変更 0 件、変更なし 4 件"
    )


def test_unknown_or_foreign_ledger_number_is_an_error_and_nothing_is_written(
    cast: Any, somu: Any
) -> None:
    other = make_org("mito2", name="水戸市議会（別）")
    from kitei.people.services import create_department  # noqa: PLC0415

    dept = create_department(other, actor=SETUP, name="総務課")
    foreign = System.objects.create(organization=other, name="他団体", department=dept)
    book = openpyxl.load_workbook(io.BytesIO(edited_export(cast)))
    book["情報システム台帳"]["A2"] = foreign.pk
    book["ソフトウェア"]["A2"] = 987654
    out = io.BytesIO()
    book.save(out)
    before = (ChangeRecord.objects.count(), System.objects.count(), Software.objects.count())
    plan = import_systems(cast, out.getvalue(), actor=SETUP)
    assert [str(e) for e in plan.errors] == [
        f"「情報システム台帳」2行目 台帳番号: 台帳番号「{foreign.pk}」"
        "はこの組織の台帳にありません。",
        "「ソフトウェア」2行目 台帳番号: 台帳番号「987654」はこの組織の台帳にありません。",
    ]
    after = (ChangeRecord.objects.count(), System.objects.count(), Software.objects.count())
    assert after == before
    assert System.objects.get(name="会議録検索").is_external_service is True


def test_cli_dry_run_lists_each_changed_cell(
    cast: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "edited.xlsx"
    path.write_bytes(edited_export(cast))
    assert main(["systems", "import", "--org", "mito", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    postgres = Software.objects.get(name="PostgreSQL")
    assert (
        f"「ソフトウェア」3行目 台帳番号 {postgres.pk}（PostgreSQL 16）: "
        "サポート終了日: 「2028-11-09」→「2029-11-08」" in out
    )
    assert len(out) == 4
    assert Software.objects.get(pk=postgres.pk).end_of_support == date(2028, 11, 9)
