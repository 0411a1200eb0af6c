"""The 情報システム台帳 as .xlsx (two sheets) and CSV: dry run, import, export, round trip."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kitei.cli import main
from kitei.core.models import ChangeRecord
from kitei.core.services import verify_audit_chain
from kitei.people.services import create_department
from kitei.systems.models import Software, System
from kitei.systems.services import add_software, register_system
from kitei.systems.transfer import export_systems, import_systems, read_systems
from tests.conftest import SETUP

from ..conftest import PASSWORD, activate_totp, make_org, make_person

HEADINGS = [
    "名称",
    "所管部署",
    "情報システム管理者",
    "情報システム担当者",
    "ネットワーク",
    "外部サービス",
    "必要な可用性",
    "セキュリティ要件",
    "利用予定期間の終了",
]
ADDED = (
    "情報システム: 追加 2 件、変更 0 件、変更なし 0 件／"
    "ソフトウェア: 追加 3 件、変更 0 件、変更なし 0 件"
)
SOFTWARE = ["システム名", "ソフトウェア名", "バージョン", "サポート終了日"]
SYSTEMS = [
    ["議会情報システム", "総務課", "佐藤 一郎", "suzuki", "LGWAN接続系", "いいえ", "可用性2",
     "二要素認証", date(2030, 3, 31)],
    ["会議録検索", "総務課", "", "", "internet", "はい", "1", "", "2029/3/31"],
]  # fmt: skip
SOFTWARE_ROWS = [
    ["議会情報システム", "Windows Server", "2019", date(2029, 1, 9)],
    ["議会情報システム", "PostgreSQL", "16", "2028-11-09"],
    ["会議録検索", "検索エンジン", "", ""],
]


def workbook(systems: list[list[Any]], software: list[list[Any]] | None = None) -> bytes:
    """An .xlsx with the 情報システム台帳 sheet and, if given, the ソフトウェア sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "情報システム台帳"
    for row in [HEADINGS, *systems]:
        sheet.append(row)
    if software is not None:
        second = book.create_sheet("ソフトウェア")
        for row in [SOFTWARE, *software]:
            second.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def cast(mito: Any, somu: Any, sato: Any, suzuki: Any) -> Any:
    return mito


def test_valid_workbook_registers_systems_and_software_with_records(cast: Any, sato: Any) -> None:
    before = ChangeRecord.objects.filter(organization=cast).count()
    plan = import_systems(cast, workbook(SYSTEMS, SOFTWARE_ROWS), actor=SETUP)
    assert plan.ok, plan.errors
    assert plan.summary() == ADDED
    council = System.objects.get(name="議会情報システム")
    assert (council.manager.name, council.operator.name) == ("佐藤 一郎", "鈴木 花子")  # type: ignore[union-attr]
    assert (council.zone, council.availability, council.is_external_service) == (
        "lgwan",
        "2",
        False,
    )
    assert council.planned_until == date(2030, 3, 31)
    search = System.objects.get(name="会議録検索")
    assert (search.zone, search.is_external_service, search.planned_until) == (
        "internet", True, date(2029, 3, 31)
    )  # fmt: skip
    assert sorted(Software.objects.values_list("name", "version", "end_of_support")) == [
        ("PostgreSQL", "16", date(2028, 11, 9)),
        ("Windows Server", "2019", date(2029, 1, 9)),
        ("検索エンジン", "", None),
    ]
    actions = ChangeRecord.objects.filter(organization=cast, seq__gt=before).values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["add_software"] * 3 + ["register_system"] * 2
    assert verify_audit_chain(cast).ok


def test_every_bad_row_of_both_sheets_and_nothing_written(cast: Any, somu: Any) -> None:
    register_system(cast, actor=SETUP, name="既存システム", department=somu)
    systems = [
        ["既存システム", "総務課", "", "", "", "", "", "", ""],  # 2
        ["新システム", "広報課", "田中", "", "月面系", "たぶん", "可用性9", "", "来年"],  # 3
        ["新システム", "総務課", "", "", "", "", "", "", ""],  # 4
        ["", "", "", "", "", "", "", "", ""],  # 5: blank, skipped
        ["", "総務課", "", "", "", "", "", "", ""],  # 6
    ]
    software = [
        ["幻のシステム", "OS", "", ""],  # 2
        ["新システム", "OS", "1", "2030-02-30"],  # 3
        ["既存システム", "DB", "", ""],  # 4
        ["既存システム", "DB", "", ""],  # 5
    ]
    before = (System.objects.count(), ChangeRecord.objects.count())
    plan = import_systems(cast, workbook(systems, software), actor=SETUP)
    assert [(e.sheet, e.line, e.column, e.reason) for e in plan.errors] == [
        ("情報システム台帳", 2, "名称", "「既存システム」は既に台帳にあります。"),
        ("情報システム台帳", 3, "所管部署", "部署「広報課」はありません。"),
        ("情報システム台帳", 3, "情報システム管理者",
         "職員「田中」は職員名簿にいません（氏名かユーザー名で入力してください）。"),
        ("情報システム台帳", 3, "ネットワーク",
         "ネットワーク「月面系」はこの組織のポリシーにありません"
         "（マイナンバー利用事務系・LGWAN接続系・インターネット接続系）。"),
        ("情報システム台帳", 3, "外部サービス",
         "「はい」か「いいえ」で入力してください（「たぶん」）。"),
        ("情報システム台帳", 3, "必要な可用性", "可用性の区分「可用性9」はありません（1・2）。"),
        ("情報システム台帳", 3, "利用予定期間の終了",
         "日付は 2030-03-31 の形で入力してください（「来年」）。"),
        ("情報システム台帳", 4, "名称", "「新システム」は3行目と重複しています。"),
        ("情報システム台帳", 6, "名称", "名称がありません（必須）。"),
        ("ソフトウェア", 2, "システム名",
         "情報システム「幻のシステム」は台帳にもこのファイルにもありません。"),
        ("ソフトウェア", 3, "サポート終了日",
         "日付は 2030-03-31 の形で入力してください（「2030-02-30」）。"),
        ("ソフトウェア", 5, "ソフトウェア名", "4行目と重複しています。"),
    ]  # fmt: skip
    assert (System.objects.count(), ChangeRecord.objects.count()) == before
    add_software(System.objects.get(name="既存システム"), actor=SETUP, name="DB")
    again = read_systems(cast, workbook([], [["既存システム", "DB", "", ""]]))
    assert [e.reason for e in again.errors] == ["このソフトウェアは既に台帳にあります。"]


def test_export_edit_import_round_trip_into_another_organisation(cast: Any) -> None:
    assert import_systems(cast, workbook(SYSTEMS, SOFTWARE_ROWS), actor=SETUP).ok
    exported = export_systems(cast, fmt="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(exported))
    assert book.sheetnames == ["情報システム台帳", "ソフトウェア"]
    systems = book["情報システム台帳"]
    assert [c.value for c in systems[1]] == ["台帳番号", *HEADINGS]
    rows = {r[1]: list(r)[1:] for r in systems.iter_rows(min_row=2, values_only=True)}
    assert rows["議会情報システム"][2:8] == [
        "佐藤 一郎",
        "鈴木 花子",
        "LGWAN接続系",
        "いいえ",
        "可用性2",
        "二要素認証",
    ]
    assert rows["議会情報システム"][8].date() == date(2030, 3, 31)
    for row in systems.iter_rows(min_row=2):
        if row[1].value == "議会情報システム":
            row[8].value = "二要素認証・ログの定期点検"
    edited = io.BytesIO()
    book.save(edited)
    # Into the same organisation the 台帳番号 rows are the registered systems: one change.
    assert read_systems(cast, edited.getvalue()).summary() == (
        "情報システム: 追加 0 件、変更 1 件、変更なし 1 件／"
        "ソフトウェア: 追加 0 件、変更 0 件、変更なし 3 件"
    )
    for sheet in book.worksheets:  # into another organisation: 台帳番号 emptied
        for row in sheet.iter_rows(min_row=2):
            row[0].value = None
    edited = io.BytesIO()
    book.save(edited)
    other = make_org("mito2", name="水戸市議会（検証）")
    dept = create_department(other, actor=SETUP, name="総務課")
    make_person(other, "sato2", "佐藤 一郎", department=dept)
    make_person(other, "suzuki2", "鈴木 花子", department=dept)
    assert [e.reason for e in read_systems(cast, edited.getvalue()).errors][:1] == [
        "「会議録検索」は既に台帳にあります。"
    ]
    assert import_systems(other, edited.getvalue(), actor=SETUP).ok
    copied = openpyxl.load_workbook(io.BytesIO(export_systems(other, fmt="xlsx")))
    again = {
        r[1]: list(r)[1:] for r in copied["情報システム台帳"].iter_rows(min_row=2, values_only=True)
    }
    rows["議会情報システム"][7] = "二要素認証・ログの定期点検"
    assert again == rows
    software = [list(r)[1:] for r in copied["ソフトウェア"].iter_rows(values_only=True)]
    assert software == [list(r)[1:] for r in book["ソフトウェア"].iter_rows(values_only=True)]


def test_csv_holds_one_list_and_formulas_are_neutralised(cast: Any, somu: Any) -> None:
    register_system(
        cast, actor=SETUP, name="=HYPERLINK(\"http://x\")", department=somu,
        security_requirements="@SUM(A1)",
    )  # fmt: skip
    system = System.objects.get()
    add_software(system, actor=SETUP, name="-OS", version="+1", end_of_support=date(2031, 1, 1))
    systems_csv = export_systems(cast, fmt="csv").decode("utf-8-sig")
    assert systems_csv.splitlines()[0] == ",".join(["台帳番号", *HEADINGS])
    assert systems_csv.splitlines()[1] == (
        f'{system.pk},"\'=HYPERLINK(""http://x"")",総務課,,,,いいえ,,\'@SUM(A1),'
    )
    software_csv = export_systems(cast, fmt="csv", sheet="software").decode("utf-8-sig")
    software_pk = system.software.get().pk
    assert software_csv.splitlines()[1] == (
        f'{software_pk},"\'=HYPERLINK(""http://x"")",\'-OS,\'+1,2031-01-01'
    )
    systems_csv, software_csv = (  # for another organisation: 台帳番号 emptied
        "\r\n".join("," + line.split(",", 1)[1] for line in text.splitlines())
        for text in (systems_csv, software_csv)
    )
    other = make_org("mito2", name="水戸市議会（CSV）")
    create_department(other, actor=SETUP, name="総務課")
    assert import_systems(other, systems_csv.encode("cp932"), actor=SETUP).ok
    assert import_systems(other, software_csv.encode("utf-8"), actor=SETUP).ok
    copy = System.objects.get(organization=other)
    assert (copy.name, copy.security_requirements) == (system.name, "@SUM(A1)")
    assert list(copy.software.values_list("name", "version")) == [("-OS", "+1")]
    sheet = openpyxl.load_workbook(io.BytesIO(export_systems(cast, fmt="xlsx")))["情報システム台帳"]
    assert (sheet["B2"].value, sheet["B2"].data_type) == (system.name, "s")
    raw = "名称,所管部署\r\n=1+2,総務課\r\n"
    assert [(e.line, e.column) for e in read_systems(other, raw.encode()).errors] == [(2, "名称")]


def test_permission_to_keep_a_system(cast: Any, somu: Any, sato: Any) -> None:
    only_own = read_systems(
        cast, workbook(SYSTEMS), may_manage=lambda system_id, manager: manager == sato
    )
    assert [(e.line, e.reason) for e in only_own.errors] == [
        (3, "この情報システムを登録する権限がありません。")
    ]


def test_pack_without_availability_axis(toyama: Any) -> None:
    create_department(toyama, actor=SETUP, name="事務局")
    plan = read_systems(toyama, workbook([["組合システム", "事務局", "", "", "", "", "1", "", ""]]))
    assert [e.reason for e in plan.errors] == ["この組織のポリシーには可用性の分類がありません。"]


def test_cli(cast: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, out = tmp_path / "systems.xlsx", tmp_path / "software.csv"
    good.write_bytes(workbook(SYSTEMS, SOFTWARE_ROWS))
    assert main(["systems", "import", "--org", "mito", str(good), "--dry-run"]) == 0
    assert f"取り込める内容: {ADDED}" in capsys.readouterr().out
    assert System.objects.count() == 0
    assert main(["systems", "import", "--org", "mito", str(good)]) == 0
    assert main(["systems", "import", "--org", "mito", str(good)]) == 2
    assert "「議会情報システム」は既に台帳にあります。" in capsys.readouterr().err
    assert main(["systems", "export", "--org", "mito", str(out), "--sheet", "software"]) == 0
    assert out.read_text(encoding="utf-8-sig").splitlines()[0] == ",".join(["台帳番号", *SOFTWARE])
    assert main(["systems", "import", "--org", "mito", str(tmp_path / "missing.xlsx")]) == 2
    assert "ファイルを読めません" in capsys.readouterr().err


def test_pages_check_import_and_export(cast: Any, somu: Any) -> None:
    admin = make_person(cast, "ito", "伊藤 五郎", department=somu, is_org_admin=True)
    activate_totp(admin)
    client = Client()
    assert client.login(username="ito", password=PASSWORD)
    bad = workbook([["議会情報システム", "広報課", "", "", "", "", "", "", ""]])
    response = client.post(reverse("systems_import"), {"action": "check", "file": _file(bad)})
    assert response.status_code == 400
    assert "<td>情報システム台帳</td><td>2</td><td>所管部署</td>" in response.content.decode()
    good = workbook(SYSTEMS, SOFTWARE_ROWS)
    checked = client.post(reverse("systems_import"), {"action": "check", "file": _file(good)})
    assert checked.status_code == 200
    assert System.objects.count() == 0
    token = checked.context["token"]
    done = client.post(reverse("systems_import"), {"action": "import", "token": token})
    assert done.status_code == 302
    assert (System.objects.count(), Software.objects.count()) == (2, 3)
    assert ChangeRecord.objects.filter(action="register_system", actor_name="ito").count() == 2
    xlsx = client.get(reverse("systems_export"))
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames == [
        "情報システム台帳",
        "ソフトウェア",
    ]
    software = client.get(reverse("systems_export"), {"format": "csv", "sheet": "software"})
    assert software.content.decode("utf-8-sig").splitlines()[0] == ",".join(["台帳番号", *SOFTWARE])
    assert "filename*=utf-8''%E3%82%BD" in software["Content-Disposition"]  # ソフトウェア-…


def test_staff_cannot_import_systems(cast: Any) -> None:
    client = Client()
    assert client.login(username="suzuki", password=PASSWORD)
    assert client.get(reverse("systems_import")).status_code == 403
    assert client.get(reverse("systems_export")).status_code == 200


def _file(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("システム.xlsx", data)
