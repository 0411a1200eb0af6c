"""The 情報資産台帳 as .xlsx and CSV: dry run, import, export, round trip, formula safety."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from kitei.assets.models import Asset
from kitei.assets.services import bulk_register_assets, register_asset
from kitei.assets.transfer import export_assets, import_assets, read_assets
from kitei.cli import main
from kitei.core.models import ChangeRecord
from kitei.core.services import verify_audit_chain
from kitei.people.services import create_department
from kitei.systems.services import register_system
from tests.conftest import SETUP

from ..conftest import make_org, make_person

HEADINGS = [
    "名称",
    "説明",
    "所管部署",
    "管理責任者",
    "機密性",
    "完全性",
    "可用性",
    "形態",
    "保管場所",
    "関連システム",
    "保存期間",
    "公開区分",
]
GOOD_ROWS = [
    ["議員名簿", "議員の連絡先", "総務課", "佐藤 一郎", "機密性3B", "完全性2", "可用性1",
     "電磁的記録", "サーバ室", "議会情報システム", "5年", "非公開"],
    ["会議録（原本）", "", "総務課", "sato", "1", "1", "1", "紙", "書庫", "", "30年", "公開"],
    ["判断待ちの文書", "", "総務課", "", "不明", "", "不明", "紙", "", "", "", ""],
]  # fmt: skip
BAD_ROWS = [
    ["議員名簿", "", "総務課", "", "機密性4", "1", "1", "紙", "", "", "", ""],  # 2
    ["予算書", "", "広報課", "", "2", "1", "1", "紙", "", "", "", ""],  # 3
    ["", "", "総務課", "", "2", "1", "1", "紙", "", "", "", ""],  # 4
    ["請願書", "", "総務課", "高橋 健太", "2", "1", "1", "封筒", "", "月のシステム", "", ""],  # 5
    ["請願書", "", "総務課", "", "2", "", "1", "紙", "", "", "", ""],  # 6
    ["既存の台帳", "", "総務課", "", "2", "1", "1", "紙", "", "", "", ""],  # 7
    ["混在", "", "総務課", "", "不明", "2", "1", "紙", "", "", "", "秘密"],  # 8
]  # fmt: skip
EXPECTED = [
    (2, "機密性", "機密性の区分「機密性4」はありません（1・2・3C・3B・3A）。"),
    (3, "所管部署", "部署「広報課」はありません。"),
    (4, "名称", "名称がありません（必須）。"),
    (5, "管理責任者",
     "職員「高橋 健太」は職員名簿にいません（氏名かユーザー名で入力してください）。"),
    (5, "形態", "「封筒」は使えません（電磁的記録・紙・記録媒体）。"),
    (5, "関連システム", "情報システム「月のシステム」は台帳にありません。"),
    (6, "完全性", "完全性の区分がありません（分からなければ「不明」と入力してください）。"),
    (6, "名称", "「請願書」（総務課）は5行目と重複しています。"),
    (7, "名称", "「既存の台帳」は総務課の情報資産として既に台帳にあります。"),
    (8, "完全性", "分類が不明な資産は、ほかの分類も「不明」か空欄にしてください。"),
    (8, "可用性", "分類が不明な資産は、ほかの分類も「不明」か空欄にしてください。"),
    (8, "公開区分", "「秘密」は使えません（公開・一部公開・非公開・未定）。"),
]  # fmt: skip
INJECTION = "=cmd|' /C calc'!A0"


def xlsx(
    rows: list[list[Any]], headings: list[str] = HEADINGS, title: str = "情報資産台帳"
) -> bytes:
    """An .xlsx made as Excel would (ordinary workbook, not write-only)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join(HEADINGS), *(",".join(r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def register(mito: Any, somu: Any, sato: Any) -> Any:
    """mito with 総務課, sato, and the system 議会情報システム."""
    return register_system(mito, actor=SETUP, name="議会情報システム", department=somu)


def _counts(org: Any) -> tuple[int, int]:
    return (
        Asset.objects.filter(organization=org).count(),
        ChangeRecord.objects.filter(organization=org).count(),
    )


def test_dry_run_reports_every_bad_row_and_writes_nothing(
    mito: Any, somu: Any, register: Any
) -> None:
    register_asset(
        mito, actor=SETUP, name="既存の台帳", department=somu, form="paper", unclear=True
    )
    before = _counts(mito)
    for data in (xlsx(BAD_ROWS), csv_bytes(BAD_ROWS)):
        plan = import_assets(mito, data, actor=SETUP)
        assert [(e.line, e.column, e.reason) for e in plan.errors] == EXPECTED
        assert _counts(mito) == before
    plan = read_assets(mito, xlsx([*GOOD_ROWS, ["別名", *BAD_ROWS[0][1:]]]))
    assert len(plan.entries) == 3
    assert [e.line for e in plan.errors] == [5]
    assert str(plan.errors[0]).startswith("「情報資産台帳」5行目 機密性: ")
    assert _counts(mito) == before


def test_valid_file_registers_every_asset_with_its_change_record(
    mito: Any, sato: Any, register: Any
) -> None:
    before = ChangeRecord.objects.filter(organization=mito).count()
    plan = import_assets(mito, xlsx(GOOD_ROWS), actor=sato.user)
    assert plan.ok
    assert plan.summary() == "情報資産: 追加 3 件、変更 0 件、変更なし 0 件"
    roster = Asset.objects.get(name="議員名簿")
    assert roster.classification == {"confidentiality": "3B", "integrity": "2", "availability": "1"}
    assert (roster.owner, roster.system, roster.form) == (sato, register, "electronic")
    assert (roster.disclosure, roster.retention, roster.created_by) == (
        "not_public",
        "5年",
        sato.user,
    )
    minutes = Asset.objects.get(name="会議録（原本）")
    assert (minutes.owner, minutes.form, minutes.disclosure) == (sato, "paper", "public")
    unclear = Asset.objects.get(name="判断待ちの文書")
    assert (unclear.classification_status, unclear.classification) == ("unclear", {})
    assert unclear.disclosure == "undecided"
    records = ChangeRecord.objects.filter(organization=mito, seq__gt=before).order_by("seq")
    assert [r.action for r in records] == ["register_asset"] * 3
    assert {r.object_id for r in records} == {str(a.pk) for a in Asset.objects.all()}
    assert records[0].actor_name == "sato"
    assert '"confidentiality":"3B"' in records[0].after
    assert verify_audit_chain(mito).ok


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_in_utf8_with_or_without_bom_and_shift_jis(
    mito: Any, register: Any, encoding: str
) -> None:
    plan = import_assets(mito, csv_bytes([r[:] for r in GOOD_ROWS], encoding), actor=SETUP)
    assert plan.ok, plan.errors
    assert set(Asset.objects.values_list("name", flat=True)) == {r[0] for r in GOOD_ROWS}


def _without_ids(data: bytes) -> bytes:
    """A CSV export with its 台帳番号 column emptied (for another organisation)."""
    head, *rows = data.decode("utf-8-sig").split("\r\n")
    return (
        "\ufeff" + "\r\n".join([head, *("," + r.split(",", 1)[1] if r else r for r in rows)])
    ).encode()


def test_export_then_edit_in_excel_then_import_into_another_organisation(
    mito: Any, sato: Any, register: Any
) -> None:
    import_assets(mito, xlsx(GOOD_ROWS), actor=SETUP)
    exported = export_assets(mito, fmt="xlsx")
    book = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = book["情報資産台帳"]
    assert [c.value for c in sheet[1]] == ["台帳番号", *HEADINGS]
    rows = {r[1]: list(r) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["議員名簿"][5:9] == ["機密性3B", "完全性2", "可用性1", "電磁的記録"]
    assert rows["判断待ちの文書"][5:8] == ["不明", "不明", "不明"]
    assert rows["議員名簿"][0] == Asset.objects.get(organization=mito, name="議員名簿").pk
    # An edit in Excel: a new storage place for the roster; 台帳番号 emptied for a copy.
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == "議員名簿":
            row[9].value = "議会事務局書庫"
        row[0].value = None
    edited = io.BytesIO()
    book.save(edited)
    # Into the same organisation without 台帳番号 every row is a new asset: a duplicate.
    duplicates = read_assets(mito, edited.getvalue())
    assert {e.reason for e in duplicates.errors} == {
        f"「{n}」は総務課の情報資産として既に台帳にあります。" for n in rows
    }
    # Into a fresh organisation with the same departments, people and systems.
    other = make_org("mito2", name="水戸市議会（検証）")
    dept = create_department(other, actor=SETUP, name="総務課")
    make_person(other, "sato2", "佐藤 一郎", department=dept)
    register_system(other, actor=SETUP, name="議会情報システム", department=dept)
    assert import_assets(other, edited.getvalue(), actor=SETUP).ok
    again = openpyxl.load_workbook(io.BytesIO(export_assets(other, fmt="xlsx")))["情報資産台帳"]
    copied = {r[1]: list(r)[1:] for r in again.iter_rows(min_row=2, values_only=True)}
    assert copied["議員名簿"][8] == "議会事務局書庫"
    rows["議員名簿"][9] = "議会事務局書庫"
    assert copied == {name: row[1:] for name, row in rows.items()}


def test_csv_export_round_trips(mito: Any, somu: Any, register: Any) -> None:
    import_assets(mito, xlsx(GOOD_ROWS), actor=SETUP)
    exported = export_assets(mito, fmt="csv")
    assert exported.startswith(b"\xef\xbb\xbf" + ",".join(["台帳番号", *HEADINGS]).encode())
    unchanged = import_assets(mito, exported, actor=SETUP)
    assert unchanged.summary() == "情報資産: 追加 0 件、変更 0 件、変更なし 3 件"
    other = make_org("mito3", name="水戸市議会（CSV）")
    dept = create_department(other, actor=SETUP, name="総務課")
    make_person(other, "sato3", "佐藤 一郎", department=dept)
    register_system(other, actor=SETUP, name="議会情報システム", department=dept)
    assert import_assets(other, _without_ids(exported), actor=SETUP).ok
    assert _without_ids(export_assets(other, fmt="csv")) == _without_ids(exported)


def test_formula_cells_are_neutralised_on_export(mito: Any, somu: Any) -> None:
    for name, text in (("A", INJECTION), ("B", "+81-29-000"), ("C", "@SUM(1)"), ("D", "-1年")):
        register_asset(
            mito, actor=SETUP, name=name, department=somu, form="paper", unclear=True,
            description=text,
        )  # fmt: skip
    csv_text = export_assets(mito, fmt="csv").decode("utf-8-sig")
    assert f",A,'{INJECTION},総務課," in csv_text
    assert ",'+81-29-000," in csv_text
    assert ",'@SUM(1)," in csv_text
    assert ",'-1年," in csv_text
    sheet = openpyxl.load_workbook(io.BytesIO(export_assets(mito, fmt="xlsx")))["情報資産台帳"]
    cells = {r[1].value: r[2] for r in sheet.iter_rows(min_row=2)}
    assert cells["A"].value == INJECTION
    assert cells["A"].data_type == "s"  # a string, never a formula
    assert cells["A"].quotePrefix
    assert all(c.data_type == "s" for c in cells.values())


def test_formula_cells_on_import(mito: Any, somu: Any) -> None:
    row = ["注入", INJECTION, "総務課", "", "1", "1", "1", "紙", "", "", "", ""]
    plan = read_assets(mito, csv_bytes([[*row[:1], f'"{INJECTION}"', *row[2:]]]))
    assert [(e.line, e.column) for e in plan.errors] == [(2, "説明")]
    assert plan.errors[0].reason.startswith("「=」で始まる値は表計算ソフトで数式とみなされる")
    assert "先頭に「'」を付けてください" in plan.errors[0].reason
    # With the apostrophe (as the export writes it) the text is taken, apostrophe off.
    assert import_assets(
        mito, csv_bytes([[*row[:1], f'"\'{INJECTION}"', *row[2:]]]), actor=SETUP
    ).ok
    assert Asset.objects.get(name="注入").description == INJECTION
    # In .xlsx a formula cell is refused; a string cell is text and is taken.
    formula = read_assets(mito, xlsx([["数式", "=1+1", *row[2:]]]))
    assert [(e.column, e.reason) for e in formula.errors] == [
        ("説明", "数式のセルは取り込めません。値として貼り付けてください。")
    ]
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx([["文字列", "x", *row[2:]]])))
    cell = workbook.active["B2"]  # type: ignore[index]  # the active sheet exists
    cell.value, cell.data_type = INJECTION, "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert import_assets(mito, buffer.getvalue(), actor=SETUP).ok
    assert Asset.objects.get(name="文字列").description == INJECTION


def test_file_level_problems(mito: Any, somu: Any) -> None:
    def reasons(data: bytes) -> list[str]:
        return [str(e) for e in read_assets(mito, data).errors]

    assert reasons(b"\xff\xfe\x00garbage\x81") == [
        "ファイル: 文字コードを読み取れません。UTF-8 または Shift_JIS で保存してください。"
    ]
    assert reasons(b"PK\x03\x04broken") == [
        "ファイル: ファイルを読み取れません（破損しているか、Excel 形式ではありません）。"
    ]
    assert reasons(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)) == [
        "ファイル: 古い Excel 形式（.xls）は読めません。.xlsx か CSV で保存してください。"
    ]
    assert reasons(",".join(HEADINGS).encode()) == ["ファイル: 取り込む行がありません。"]
    assert reasons(b"") == ["ファイル: 空のシートです。"]
    headings = [h for h in HEADINGS if h != "可用性"] + ["備考"]
    assert reasons(xlsx([], headings)) == [
        "「情報資産台帳」1行目 備考: 見出し「備考」は使えません（使える見出し: "
        + "、".join(["台帳番号", *HEADINGS])
        + "）。",
        "「情報資産台帳」1行目 可用性: 見出し「可用性」がありません。",
    ]
    many = read_assets(mito, xlsx([GOOD_ROWS[1]] * 3), max_rows=2)
    assert many.entries == ()
    assert "行が多すぎます" in many.errors[0].reason


def test_columns_in_any_order_and_an_unlabelled_cell(mito: Any, somu: Any) -> None:
    order = [5, 4, 6, 7, 2, 0]
    rows = [[GOOD_ROWS[1][i].replace("sato", "") for i in order]]
    plan = read_assets(mito, xlsx(rows, [HEADINGS[i] for i in order]))
    assert plan.ok, plan.errors
    extra = read_assets(
        mito, xlsx([[*GOOD_ROWS[1][:3], "", "1", "1", "1", "紙", "", "", "", "", "余り"]])
    )
    assert [(e.line, e.reason) for e in extra.errors] == [(2, "見出しのない列に値があります。")]


def test_importers_keep_to_the_departments_they_may_manage(mito: Any, somu: Any) -> None:
    create_department(mito, actor=SETUP, name="議事課")
    rows = [["予算書", "", "議事課", "", "2", "1", "1", "紙", "", "", "", ""], GOOD_ROWS[2]]
    plan = read_assets(mito, xlsx(rows), may_manage=lambda d: d.name == "総務課")
    assert [(e.line, e.column, e.reason) for e in plan.errors] == [
        (2, "所管部署", "この部署の情報資産を登録する権限がありません。")
    ]


def test_importance_axis_of_toyama(toyama: Any) -> None:
    dept = create_department(toyama, actor=SETUP, name="事務局")
    headings = ["名称", "所管部署", "重要度", "形態"]
    data = xlsx(
        [["組合員名簿", "事務局", "Ⅰ", "紙"], ["議事録", "事務局", "重要性分類III", "紙"]], headings
    )
    assert import_assets(toyama, data, actor=SETUP).ok
    assert dict(Asset.objects.values_list("name", "classification__importance")) == {
        "組合員名簿": "I",
        "議事録": "III",
    }
    sheet = openpyxl.load_workbook(io.BytesIO(export_assets(toyama, fmt="xlsx"))).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][5] == "重要性分類"
    assert dept.name == "事務局"


def test_bulk_service_checks_every_row_and_records_each(mito: Any, somu: Any, toyama: Any) -> None:
    from kitei.people.models import Department  # noqa: PLC0415

    before = _counts(mito)
    bad_class = {
        "name": "x",
        "department": somu,
        "form": "paper",
        "classification": {"機密性": "9"},
    }
    with pytest.raises(ValidationError, match="2件目: 機密性の区分「9」はありません"):
        bulk_register_assets(mito, actor=SETUP, rows=[{**bad_class, "unclear": True}, bad_class])
    foreign = Department.objects.create(organization=toyama, name="他組織の課")
    with pytest.raises(ValidationError, match="1件目: 部署がこの組織にありません"):
        bulk_register_assets(mito, actor=SETUP, rows=[{**bad_class, "department": foreign}])
    assert _counts(mito) == before
    ids = bulk_register_assets(
        mito,
        actor=SETUP,
        rows=[{**bad_class, "name": f"文書{i}", "unclear": True} for i in range(5)],
    )
    assert _counts(mito) == (before[0] + 5, before[1] + 5)
    assert sorted(Asset.objects.filter(name__startswith="文書").values_list("pk", flat=True)) == ids
    assert verify_audit_chain(mito).ok
    register_asset(mito, actor=SETUP, name="後続", department=somu, form="paper", unclear=True)
    assert verify_audit_chain().ok


def test_bulk_records_what_register_asset_records(mito: Any, somu: Any, sato: Any) -> None:
    system = register_system(mito, actor=SETUP, name="議会情報システム", department=somu)
    row = {
        "name": "議員名簿",
        "department": somu,
        "form": "electronic",
        "classification": {"機密性": "機密性3B", "完全性": "2", "可用性": "1"},
        "owner": sato,
        "system": system,
        "description": "連絡先",
        "storage_location": "サーバ室",
        "retention": "5年",
        "disclosure": "not_public",
    }
    single = register_asset(mito, actor=sato.user, **row)
    [bulk] = bulk_register_assets(mito, actor=sato.user, rows=[row])
    one, two = (
        ChangeRecord.objects.get(object_type="assets.asset", object_id=str(pk))
        for pk in (single.pk, bulk)
    )
    assert (two.action, two.actor_id, two.actor_name) == (one.action, one.actor_id, one.actor_name)
    assert two.after == one.after
    fresh = Asset.objects.get(pk=bulk)
    assert (fresh.owner, fresh.system, fresh.created_by, fresh.classification) == (
        sato,
        system,
        sato.user,
        single.classification,
    )
    assert fresh.created_at is not None
    assert verify_audit_chain(mito).ok


def test_cli_import_export(
    mito: Any, register: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad, good, out = tmp_path / "bad.xlsx", tmp_path / "good.csv", tmp_path / "out.xlsx"
    bad.write_bytes(xlsx(BAD_ROWS[:2]))
    good.write_bytes(csv_bytes(GOOD_ROWS, "cp932"))
    assert main(["assets", "import", "--org", "mito", str(bad), "--dry-run"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert (
        err[0]
        == "「情報資産台帳」2行目 機密性: 機密性の区分「機密性4」はありません（1・2・3C・3B・3A）。"
    )
    assert err[-1] == "kitei: 誤りが 2 件あります。何も取り込んでいません。"
    assert main(["assets", "import", "--org", "mito", str(good), "--dry-run"]) == 0
    assert (
        "誤りはありません。取り込める内容: 情報資産: 追加 3 件、変更 0 件、変更なし 0 件"
        in capsys.readouterr().out
    )
    assert Asset.objects.count() == 0
    assert main(["assets", "import", "--org", "mito", str(good)]) == 0
    assert (
        "取り込みました: 情報資産: 追加 3 件、変更 0 件、変更なし 0 件" in capsys.readouterr().out
    )
    assert Asset.objects.count() == 3
    assert main(["assets", "export", "--org", "mito", str(out)]) == 0
    assert openpyxl.load_workbook(out).active.max_row == 4  # type: ignore[union-attr]  # one sheet
    assert main(["assets", "export", "--org", "nowhere", str(out)]) == 2
    assert "組織「nowhere」はありません" in capsys.readouterr().err
