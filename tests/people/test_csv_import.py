"""Importing the people register from CSV: by the page and by `kitei people import`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kitei.cli import main
from kitei.core.models import ChangeRecord
from kitei.core.services import verify_audit_chain
from kitei.people.csv_import import RowError, import_file, read_people_csv
from kitei.people.models import Department, Person, RoleAssignment
from kitei.people.services import import_people
from tests.conftest import SETUP

from .conftest import client_for

HEADING = "氏名,ユーザー名,所属,役職,メールアドレス,役割,組織管理者\r\n"

BAD = HEADING + (
    "高橋 健太,takahashi,総務課,主事,takahashi@example.jp,議員及び職員,いいえ\r\n"  # 2: valid
    ",nobody,総務課,,,,\r\n"  # 3
    "渡辺 由美,sato,総務課,,,,\r\n"  # 4
    "\r\n"  # 5: blank lines are skipped but counted
    "山本 誠,takahashi,総務課,,,,\r\n"  # 6
    "中村 陽子,nakamura,広報課,,,,\r\n"  # 7
    "小林 翔,kobayashi,総務課,,kobayashi@,,\r\n"  # 8
    "加藤 恵,kato,総務課,,,監査役・職員,\r\n"  # 9
    "吉田 大輔,yoshida,,,,情報セキュリティ管理者,\r\n"  # 10
    "井上 一郎,inoue,総務課,,,,たぶん\r\n"  # 11
    "林 美咲,hayashi,総務課,,,情報システム管理者,\r\n"  # 12
)

EXPECTED_ERRORS = [
    (3, "氏名", "氏名がありません。"),
    (4, "ユーザー名", "ユーザー名「sato」は既に使われています。"),
    (6, "ユーザー名", "ユーザー名「takahashi」は2行目と重複しています。"),
    (7, "所属", "部署「広報課」はありません（「存在しない部署を作成する」を選ぶと作成します）。"),
    (8, "メールアドレス", "メールアドレス「kobayashi@」の形式が正しくありません。"),
    (9, "役割", "役割「監査役」はこの組織のポリシーにありません。"),
    (10, "役割", "「情報セキュリティ管理者」は部署ごとの役割のため、所属が必要です。"),
    (11, "組織管理者", "「はい」か「いいえ」で入力してください（「たぶん」）。"),
    (
        12,
        "対象システム",
        "「情報システム管理者」はシステムごとの役割のため、対象システムが必要です。",
    ),
]

GOOD = HEADING + (
    "高橋 健太,takahashi,総務課,課長,takahashi@example.jp,情報セキュリティ管理者・職員,いいえ\r\n"
    "渡辺 由美,watanabe,議事課,主事,,議員及び職員,はい\r\n"
    "山本 誠,,総務課,,,,\r\n"
)


def _state(org: Any) -> tuple[int, int, int, int]:
    return (
        Person.objects.filter(organization=org).count(),
        RoleAssignment.objects.filter(organization=org).count(),
        Department.objects.filter(organization=org).count(),
        ChangeRecord.objects.filter(organization=org).count(),
    )


def _upload(text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("people.csv", text.encode(encoding), content_type="text/csv")


def test_dry_run_lists_every_bad_row_with_line_column_and_reason(mito: Any, sato: Any) -> None:
    plan = read_people_csv(mito, BAD.encode())
    assert [(e.line, e.column, e.reason) for e in plan.errors] == EXPECTED_ERRORS
    assert not plan.ok


def test_dry_run_page_shows_the_errors_and_writes_nothing(mito: Any, sato: Any, ito: Any) -> None:
    before = _state(mito)
    response = client_for("ito").post("/people/import/", {"file": _upload(BAD), "action": "check"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "誤りが 9 件あります。何も取り込んでいません。" in page
    assert "<td>11</td><td>組織管理者</td>" in page
    assert "ユーザー名「sato」は既に使われています。" in page
    assert _state(mito) == before


def test_a_file_with_bad_rows_imports_nothing(mito: Any, sato: Any, ito: Any) -> None:
    before = _state(mito)
    response = client_for("ito").post("/people/import/", {"file": _upload(BAD), "action": "import"})
    assert response.status_code == 400
    assert _state(mito) == before
    assert not Person.objects.filter(name="高橋 健太").exists()  # the valid row 2 too


def test_valid_import_writes_people_accounts_roles_and_change_records(
    mito: Any, somu: Any, ito: Any
) -> None:
    client = client_for("ito")
    checked = client.post(
        "/people/import/",
        {"file": _upload(GOOD), "action": "check", "create_departments": "on"},
    )
    assert checked.status_code == 200
    assert "議事課" in checked.content.decode()
    assert not Person.objects.filter(name="高橋 健太").exists()  # a dry run writes nothing
    before = ChangeRecord.objects.filter(organization=mito).count()

    content = checked.context["content"]
    done = client.post(
        "/people/import/",
        {"content": content, "action": "import", "create_departments": "on"},
    )
    assert done.status_code == 200
    assert done["Cache-Control"] == "no-store"
    takahashi = Person.objects.get(user__username="takahashi")
    assert takahashi.must_change_password
    assert takahashi.position == "課長"
    assert set(takahashi.assignments.values_list("role_id", "department__name")) == {
        ("information_security_manager", "総務課"),
        ("members_and_staff", None),
    }
    watanabe = Person.objects.get(user__username="watanabe")
    assert watanabe.is_org_admin
    assert watanabe.department is not None
    assert watanabe.department.name == "議事課"
    yamamoto = Person.objects.get(name="山本 誠")
    assert yamamoto.user is None
    records = ChangeRecord.objects.filter(organization=mito, seq__gt=before)
    assert sorted(records.values_list("action", flat=True)) == sorted(
        ["create_department"] + ["create_person"] * 3 + ["assign_role"] * 3 + ["import_people"]
    )
    assert all(r.actor_name == "ito" for r in records)
    assert verify_audit_chain(mito).ok

    accounts = done.context["accounts"]
    assert [a.username for a in accounts] == ["takahashi", "watanabe"]
    page = done.content.decode()
    assert all(a.password in page for a in accounts)
    assert "初回ログイン時にパスワードを変更する必要があります" in page
    newcomer = Client()
    assert newcomer.login(username="takahashi", password=accounts[0].password)
    assert newcomer.get("/").headers["Location"] == "/accounts/password/change/"


def test_unknown_departments_are_created_only_when_asked(mito: Any, somu: Any) -> None:
    refused = read_people_csv(mito, GOOD.encode())
    assert [(e.line, e.column) for e in refused.errors] == [(3, "所属")]
    allowed = read_people_csv(mito, GOOD.encode(), create_departments=True)
    assert allowed.ok
    assert allowed.new_departments == ("議事課",)


def test_shift_jis_file_from_excel(mito: Any, somu: Any, ito: Any) -> None:
    response = client_for("ito").post(
        "/people/import/",
        {"file": _upload(GOOD, "cp932"), "action": "import", "create_departments": "on"},
    )
    assert response.status_code == 200
    assert set(Person.objects.filter(organization=mito).values_list("name", flat=True)) >= {
        "高橋 健太",
        "渡辺 由美",
        "山本 誠",
    }
    assert Department.objects.filter(organization=mito, name="議事課").exists()


def test_utf8_with_bom(mito: Any, somu: Any) -> None:
    plan = read_people_csv(mito, GOOD.encode("utf-8-sig"), create_departments=True)
    assert plan.ok
    assert [e.name for e in plan.entries] == ["高橋 健太", "渡辺 由美", "山本 誠"]


def test_file_level_problems(mito: Any) -> None:
    def errors(data: bytes) -> list[tuple[int | None, str, str]]:
        return [(e.line, e.column, e.reason) for e in read_people_csv(mito, data).errors]

    assert errors(b"\xff\xfe\x00\x81") == [
        (None, "", "文字コードを読み取れません。UTF-8 または Shift_JIS で保存してください。")
    ]
    assert errors(b"") == [(None, "", "空のファイルです。")]
    assert errors("氏名\r\n".encode()) == [(None, "", "取り込む行がありません。")]
    assert errors("名前,ユーザー名,ユーザー名\r\n".encode()) == [
        (
            1,
            "名前",
            "見出し「名前」は使えません（使える見出し: 台帳番号、氏名、ユーザー名、所属、役職、"
            "メールアドレス、役割、対象システム、組織管理者）。",
        ),
        (1, "ユーザー名", "見出し「ユーザー名」が重複しています。"),
        (1, "氏名", "見出し「氏名」がありません。"),
    ]


def test_roles_by_id_title_or_alias_separated_by_either_mark(mito: Any, somu: Any) -> None:
    text = HEADING + "高橋 健太,,総務課,,,information_security_manager、議員・CSIRT,\r\n"
    plan = read_people_csv(mito, text.encode())
    assert plan.ok
    assert plan.entries[0].roles == ("information_security_manager", "members_and_staff", "csirt")


SYSTEM_HEADING = "氏名,ユーザー名,所属,役職,メールアドレス,役割,対象システム,組織管理者\r\n"


def test_system_roles_name_their_system_by_its_register_name(mito: Any, somu: Any) -> None:
    from kitei.systems.services import register_system  # noqa: PLC0415 - a higher layer

    council = register_system(mito, actor=SETUP, name="議会情報システム", department=somu)
    text = SYSTEM_HEADING + (
        "林 美咲,hayashi,総務課,,,情報システム管理者・議員及び職員,議会情報システム,\r\n"
    )
    plan, _accounts = import_file(mito, text.encode(), actor=SETUP)
    assert plan.ok, plan.errors
    held = RoleAssignment.objects.filter(person__name="林 美咲")
    assert set(held.values_list("role_id", "system_id")) == {
        ("information_system_manager", council.pk),
        ("members_and_staff", None),  # the system is only for the system-scoped role
    }
    manager = held.get(role_id="information_system_manager")
    record = ChangeRecord.objects.get(action="assign_role", object_id=str(manager.pk))
    assert json.loads(record.after)["system"] == "議会情報システム"


def test_an_unknown_or_misplaced_system_is_a_row_error(mito: Any, somu: Any) -> None:
    text = SYSTEM_HEADING + (
        "林 美咲,hayashi,総務課,,,情報システム管理者,財務会計システム,\r\n"  # 2
        "森 一郎,mori,総務課,,,議員及び職員,議会情報システム,\r\n"  # 3
    )
    before = _state(mito)
    plan = read_people_csv(mito, text.encode())
    assert [(e.line, e.column, e.reason) for e in plan.errors] == [
        (2, "対象システム", "情報システム「財務会計システム」は情報システム台帳にありません。"),
        (3, "対象システム", "対象システムは、システムごとの役割を割り当てる行にだけ書きます。"),
    ]
    assert import_file(mito, text.encode(), actor=SETUP)[0].errors == plan.errors
    assert _state(mito) == before


def test_another_organisations_system_is_unknown_to_the_import(
    mito: Any, toyama: Any, somu: Any
) -> None:
    from kitei.people.services import create_department  # noqa: PLC0415
    from kitei.systems.services import register_system  # noqa: PLC0415 - a higher layer

    office = create_department(toyama, actor=SETUP, name="事務局")
    register_system(toyama, actor=SETUP, name="組合業務システム", department=office)
    text = SYSTEM_HEADING + "林 美咲,,総務課,,,情報システム管理者,組合業務システム,\r\n"
    plan = read_people_csv(mito, text.encode())
    assert [e.reason for e in plan.errors] == [
        "情報システム「組合業務システム」は情報システム台帳にありません。"
    ]


def test_a_failure_during_the_import_rolls_everything_back(mito: Any, somu: Any) -> None:
    from ..conftest import make_person  # noqa: PLC0415

    plan = read_people_csv(mito, GOOD.encode(), create_departments=True)
    assert plan.ok
    make_person(mito, "watanabe", "渡辺 別人")  # the username is taken after the check
    before = _state(mito)
    hashes = {"takahashi": "!", "watanabe": "!"}
    with pytest.raises(ValidationError, match="ユーザー名「watanabe」は既に使われています。"):
        import_people(mito, actor=SETUP, plan=plan, password_hashes=hashes)
    assert _state(mito) == before
    assert verify_audit_chain(mito).ok


def test_a_plan_with_errors_is_refused_by_the_service(mito: Any) -> None:
    plan = read_people_csv(mito, b"")
    with pytest.raises(ValidationError, match="ファイルに誤りがあるため取り込めません。"):
        import_people(mito, actor=SETUP, plan=plan, password_hashes={})


def test_error_text_names_line_and_column() -> None:
    assert str(RowError(line=4, column="所属", reason="部署「x」はありません。")) == (
        "4行目 所属: 部署「x」はありません。"
    )


def test_cli_dry_run_prints_one_line_per_bad_row(
    mito: Any, sato: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(BAD.encode("cp932"))
    before = _state(mito)
    assert main(["people", "import", "--org", "mito", str(path), "--dry-run"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"{n}行目: {c}: {r}" for n, c, r in EXPECTED_ERRORS]
    assert main(["people", "import", "--org", "mito", str(path)]) == 2
    assert _state(mito) == before


def test_cli_imports_and_prints_temporary_passwords(
    mito: Any, somu: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(GOOD, encoding="utf-8")
    args = ["people", "import", "--org", "mito", str(path), "--create-departments"]
    assert main([*args, "--dry-run"]) == 0
    assert "誤りはありません" in capsys.readouterr().out
    assert not Person.objects.filter(name="高橋 健太").exists()
    assert main(args) == 0
    out = capsys.readouterr().out
    assert (
        "職員: 追加 3 件、変更 0 件、変更なし 0 件"
        "（アカウント 2、役割の割当て 3）、新しい部署: 議事課" in out
    )
    assert "初回ログイン時に変更が必要です" in out
    password = next(line for line in out.splitlines() if line.startswith("takahashi\t"))
    client = Client()
    assert client.login(username="takahashi", password=password.split("\t")[1])
    assert ChangeRecord.objects.filter(organization=mito, action="import_people").count() == 1


@pytest.mark.django_db
def test_cli_unknown_organisation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "people.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert main(["people", "import", "--org", "nowhere", str(path)]) == 2
    assert "組織「nowhere」はありません。" in capsys.readouterr().err


def test_too_many_accounts_for_one_web_import(mito: Any, somu: Any, ito: Any) -> None:
    rows = "".join(f"職員 {n},user{n:03d},総務課,,,,\r\n" for n in range(41))
    response = client_for("ito").post(
        "/people/import/", {"file": _upload(HEADING + rows), "action": "import"}
    )
    assert response.status_code == 400
    assert "kitei people import" in response.content.decode()
    assert not Person.objects.filter(name="職員 0").exists()


def test_the_shared_import_framework_reads_xlsx_and_refuses_formulas(mito: Any, somu: Any) -> None:
    from kitei.core import tabular  # noqa: PLC0415

    sheet = tabular.Sheet(
        title="職員名簿",
        headings=["氏名", "ユーザー名", "所属"],
        rows=[["高橋 健太", "takahashi", "総務課"]],
        count=1,
    )
    plan = read_people_csv(mito, tabular.write_xlsx([sheet]))
    assert plan.ok, plan.errors
    assert [(e.name, e.username, e.department) for e in plan.entries] == [
        ("高橋 健太", "takahashi", "総務課")
    ]
    text = HEADING + '=HYPERLINK("x"),,総務課,,,,\r\n\'=山田,,総務課,,,,\r\n'
    plan = read_people_csv(mito, text.encode())
    assert [(e.line, e.column) for e in plan.errors] == [(2, "氏名")]
    assert "数式とみなされる" in plan.errors[0].reason
    assert plan.errors[0].line == 2
