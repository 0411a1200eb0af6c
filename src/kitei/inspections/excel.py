"""A questionnaire as an .xlsx sheet, and its answers read back (dry run, then all or nothing).

The sheet 「点検票」 has one row per item: the item id (the key read back), clause, quote,
question, the answer (a list of the five answers as data validation), the reason for
該当なし, the improvement action (content, owner, due date) and a comment. Reading it back
checks every row first (`kitei.core.tabular`: row, column and reason per problem); nothing
is written when any row is wrong, and an unedited file changes nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from kitei.core import access
from kitei.core.services import record_change
from kitei.core.tabular import Row, RowError, body, open_tables
from kitei.inspections import services
from kitei.inspections.choices import AnswerChoice, InspectionAuditAction
from kitei.inspections.models import Answer, Questionnaire

SHEET = "点検票"
ID, CLAUSE, QUOTE, QUESTION = "項目ID", "根拠条項", "規程の引用", "質問"
ANSWER, REASON, PLAN, OWNER, DUE, COMMENT = (
    "回答",
    "該当なしの理由",
    "改善の内容",
    "改善の担当者",
    "改善の期限",
    "備考",
)
HEADINGS = (ID, CLAUSE, QUOTE, QUESTION, ANSWER, REASON, PLAN, OWNER, DUE, COMMENT)
LABELS = {str(label): value for value, label in AnswerChoice.choices}


def export_questionnaire(questionnaire: Questionnaire) -> bytes:
    """The questionnaire's items and current answers as one sheet, answers as a list."""
    from openpyxl import Workbook  # noqa: PLC0415 - only when exporting
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415
    from openpyxl.worksheet.datavalidation import DataValidation  # noqa: PLC0415

    answers = questionnaire.answers.select_related("item").order_by("item__position")
    book = Workbook()
    sheet: Any = book.active
    sheet.title = SHEET
    sheet.append(list(HEADINGS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for a in answers:
        sheet.append(
            [
                a.item.control_id,
                a.item.clause,
                a.item.quote,
                a.item.question,
                str(AnswerChoice(a.choice).label) if a.choice else "",
                a.reason,
                a.plan,
                a.owner,
                a.due_on,
                a.comment,
            ]
        )
    last = sheet.max_row
    listed = ",".join(LABELS)
    validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
    validation.error = "回答は一覧から選んでください。"
    validation.add(f"E2:E{max(last, 2)}")
    sheet.add_data_validation(validation)
    for column, width in zip("ABCDEFGHIJ", (18, 12, 40, 40, 14, 24, 30, 14, 12, 24), strict=True):
        sheet.column_dimensions[column].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2, min_col=3, max_col=4):
        for cell in row:
            cell.alignment = wrap
    for row in sheet.iter_rows(min_row=2, min_col=9, max_col=9):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class ImportResult:
    """What reading a file found: every row's errors, and the answers it would change."""

    errors: list[RowError] = field(default_factory=list)
    changes: list[tuple[Answer, dict[str, Any]]] = field(default_factory=list)
    applied: bool = False


def _values(answer: Answer) -> dict[str, Any]:
    return {
        "choice": answer.choice,
        "reason": answer.reason,
        "plan": answer.plan,
        "owner": answer.owner,
        "due_on": answer.due_on,
        "comment": answer.comment,
    }


def read_answers(questionnaire: Questionnaire, data: bytes, *, actor: access.Actor) -> ImportResult:
    """Check every row of an uploaded questionnaire; writes nothing (the dry run)."""
    result = ImportResult()
    answers = {
        a.item.control_id: a for a in questionnaire.answers.select_related("item", "questionnaire")
    }
    with open_tables(data) as tables:
        name = tables.pick(SHEET)
        if name is None:
            result.errors.append(
                RowError(line=None, column="", reason=f"シート「{SHEET}」がありません。")
            )
            return result
        known = {h: h for h in HEADINGS}
        columns, rows = body(tables, name, known=known, required=(ID, ANSWER), errors=result.errors)
        reader = _Reader(questionnaire=questionnaire, actor=actor, answers=answers, result=result)
        for line, cells in rows:
            reader.read(
                Row(sheet=name, line=line, cells=cells, columns=columns, errors=result.errors)
            )
    return result


@dataclass
class _Reader:
    """Reads the rows of one upload against one questionnaire's answers."""

    questionnaire: Questionnaire
    actor: access.Actor
    answers: dict[str, Answer]
    result: ImportResult
    seen: set[str] = field(default_factory=set)

    def target(self, row: Row) -> Answer | None:
        """The answer the row's item id names (once per file), or None with the error."""
        key = row.text(ID, required=True)
        answer = self.answers.get(key)
        if key and answer is None:
            row.fail(ID, f"この点検票にない項目です（「{key}」）。")
        elif key in self.seen:
            row.fail(ID, f"項目「{key}」が重複しています。")
            answer = None
        self.seen.add(key)
        return answer

    def wanted(self, row: Row) -> dict[str, Any] | None:
        """The answer the row asks for, or None when a cell is wrong."""
        label = row.text(ANSWER)
        choice = LABELS.get(label) if label else ""
        if choice is None:
            row.fail(ANSWER, f"回答「{label}」は選べません（{'、'.join(LABELS)}）。")
        wanted = {
            "choice": choice,
            "reason": row.text(REASON, limit=2000),
            "plan": row.text(PLAN, limit=2000),
            "owner": row.text(OWNER, limit=100),
            "due_on": row.date_value(DUE),
            "comment": row.text(COMMENT, limit=2000),
        }
        return wanted if row.ok else None

    def read(self, row: Row) -> None:
        """Check one row; a changed, valid answer goes into the result's changes."""
        answer = self.target(row)
        wanted = self.wanted(row) if answer is not None else None
        if answer is None or wanted is None or wanted == _values(answer):
            return
        if not wanted["choice"]:
            row.fail(ANSWER, "回答した項目を空欄に戻すことはできません。")
        elif self.questionnaire.state not in services.OPEN_STATES:
            state = self.questionnaire.get_state_display()
            row.fail(ANSWER, f"この点検票は「{state}」のため変更できません。")
        elif not services.may_answer(self.actor, answer):
            row.fail(ID, "この項目に回答できるのは、点検票の役割の保有者か委任された職員です。")
        else:
            problems = services.check_answer(
                wanted["choice"],
                reason=wanted["reason"],
                plan=wanted["plan"],
                owner=wanted["owner"],
                due_on=wanted["due_on"],
            )
            titles = {"choice": ANSWER, "reason": REASON, "plan": PLAN, "owner": OWNER}
            for name, messages in problems.items():
                for message in messages:
                    row.fail(titles.get(name, DUE), message)
        if row.ok:
            self.result.changes.append((answer, wanted))


@transaction.atomic
def import_answers(
    questionnaire: Questionnaire, data: bytes, *, actor: access.Actor, dry_run: bool = False
) -> ImportResult:
    """Read the file and, unless `dry_run` or any row is wrong, save every changed answer."""
    result = read_answers(questionnaire, data, actor=actor)
    if dry_run or result.errors or not result.changes:
        return result
    for answer, wanted in result.changes:
        services.answer_item(answer, actor=actor, **wanted)
    record_change(
        questionnaire.organization,
        actor=actor,
        action=InspectionAuditAction.IMPORT_ANSWERS,
        obj=questionnaire,
        after={"changed": [a.item.control_id for a, _w in result.changes]},
    )
    result.applied = True
    return result
