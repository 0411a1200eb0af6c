"""The Excel round trip of a questionnaire (§5.3 check 7)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from kitei.core.models import ChangeRecord
from kitei.inspections.excel import export_questionnaire, import_answers
from kitei.inspections.generation import start_campaign
from kitei.inspections.models import Questionnaire
from kitei.inspections.services import answer_item

from .conftest import Cast


@pytest.fixture
def somu_q(cast: Cast) -> Questionnaire:
    campaign = start_campaign(
        cast.org, actor=cast.admin.user, duty_id="self-inspection-policy", fiscal_year=2026
    )
    q = campaign.questionnaires.get(department=cast.somu)
    first = q.answers.select_related("item", "questionnaire").order_by("item__position")[0]
    answer_item(
        first,
        actor=cast.sato.user,
        choice="partial",
        plan="掲示する",
        owner="佐藤 一郎",
        due_on=date(2027, 1, 31),
    )
    return q


def _edit(data: bytes, cells: dict[str, object]) -> bytes:
    book = load_workbook(io.BytesIO(data))
    sheet = book["点検票"]
    for ref, value in cells.items():
        sheet[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_export_has_items_answers_and_a_list_of_answers(somu_q: Questionnaire) -> None:
    book = load_workbook(io.BytesIO(export_questionnaire(somu_q)))
    sheet = book["点検票"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("項目ID", "根拠条項", "規程の引用", "質問", "回答")
    assert len(rows) == somu_q.answers.count() + 1
    first = somu_q.answers.select_related("item").order_by("item__position")[0]
    assert rows[1][:3] == (first.item.control_id, first.item.clause, first.item.quote)
    assert rows[1][4:8] == ("一部実施", None, "掲示する", "佐藤 一郎")
    (validation,) = sheet.data_validations.dataValidation
    assert validation.formula1 == '"実施している,一部実施,実施していない,該当なし,不明"'
    assert str(validation.sqref) == f"E2:E{len(rows)}"


def test_an_unedited_round_trip_changes_nothing(cast: Cast, somu_q: Questionnaire) -> None:
    before = ChangeRecord.objects.count()
    result = import_answers(somu_q, export_questionnaire(somu_q), actor=cast.sato.user)
    assert (result.errors, result.changes, result.applied) == ([], [], False)
    assert ChangeRecord.objects.count() == before


def test_three_bad_rows_write_nothing_and_are_listed(cast: Cast, somu_q: Questionnaire) -> None:
    data = _edit(
        export_questionnaire(somu_q),
        {
            "E3": "たぶん",  # not an answer
            "E4": "該当なし",  # without a reason
            "A5": "NO-SUCH-ITEM",
            "E6": "実施している",  # a good row: still not written
        },
    )
    before = ChangeRecord.objects.count()
    result = import_answers(somu_q, data, actor=cast.sato.user)
    assert [(e.line, e.column) for e in result.errors] == [
        (3, "回答"),
        (4, "該当なしの理由"),
        (5, "項目ID"),
    ]
    assert "「たぶん」は選べません" in result.errors[0].reason
    assert result.errors[1].reason == "「該当なし」には理由を記入してください。"
    assert not result.applied
    assert ChangeRecord.objects.count() == before
    assert set(somu_q.answers.exclude(pk=somu_q.answers.order_by("item__position")[0].pk)
               .values_list("choice", flat=True)) == {""}  # fmt: skip


def test_dry_run_then_import(cast: Cast, somu_q: Questionnaire) -> None:
    data = _edit(
        export_questionnaire(somu_q),
        {"E3": "該当なし", "F3": "窓口がない", "E4": "実施していない", "G4": "研修を行う",
         "H4": "佐藤 一郎", "I4": "2027-02-28"},
    )  # fmt: skip
    dry = import_answers(somu_q, data, actor=cast.sato.user, dry_run=True)
    assert (dry.errors, len(dry.changes), dry.applied) == ([], 2, False)
    assert not somu_q.answers.filter(choice="not_applicable").exists()
    refused = import_answers(somu_q, data, actor=cast.ono.user)
    assert [e.column for e in refused.errors] == ["項目ID", "項目ID"]
    done = import_answers(somu_q, data, actor=cast.sato.user)
    assert done.applied
    second, third = somu_q.answers.select_related("item").order_by("item__position")[1:3]
    assert (second.choice, second.reason) == ("not_applicable", "窓口がない")
    assert (third.choice, third.due_on) == ("not_done", date(2027, 2, 28))
    assert ChangeRecord.objects.filter(action="import_inspection_answers").count() == 1
