"""The round trip of a register through Excel: the 台帳番号 column and what an import changes.

Every register export starts with 台帳番号, the row's primary key: stable (never reused,
never renumbered), already what the pages' URLs carry, and needing no new column or
counter. An import reads it back: a row with a 台帳番号 of this organisation's register
updates that row (only the cells that differ), a row without one is added, and any other
number is a row error — the same message whether the number is unknown or another
organisation's, so an import never tells whether a row exists elsewhere. Rows of the
register that the file leaves out are left alone.

`Diff` is what a check found (追加 / 変更 cell by cell / 変更なし); its `fingerprint` lets
the import page write exactly what it showed: the file is checked again before writing
and nothing is written when the outcome differs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kitei.core import tabular

ID = "台帳番号"
SHOWN_CHANGES = 500  # changed rows a page lists; the command line lists them all


@dataclass(frozen=True)
class CellChange:
    """One changed cell: its column, the register's value and the file's (as exported)."""

    column: str
    before: str
    after: str


@dataclass(frozen=True, kw_only=True)
class Change:
    """A row of the file that changes a row of the register."""

    line: int
    pk: int
    label: str  # the row's name, for people reading the list
    cells: tuple[CellChange, ...]
    sheet: str = ""


@dataclass(frozen=True, kw_only=True)
class Diff:
    """What a valid file does to the register: rows added, rows changed, rows unchanged."""

    added: int = 0
    changed: tuple[Change, ...] = ()
    unchanged: int = 0

    def __add__(self, other: Diff) -> Diff:
        return Diff(
            added=self.added + other.added,
            changed=self.changed + other.changed,
            unchanged=self.unchanged + other.unchanged,
        )

    def summary(self) -> str:
        """「追加 2 件、変更 3 件、変更なし 5 件」."""
        return _("追加 %(added)d 件、変更 %(changed)d 件、変更なし %(unchanged)d 件") % {
            "added": self.added,
            "changed": len(self.changed),
            "unchanged": self.unchanged,
        }

    def lines(self) -> list[str]:
        """One line per changed cell, for the command line's dry run."""
        result = []
        for change in self.changed:
            where = _("%(line)d行目") % {"line": change.line}
            if change.sheet:
                where = f"「{change.sheet}」{where}"
            for cell in change.cells:
                text = _(
                    "%(where)s 台帳番号 %(pk)d（%(label)s）: %(column)s: "
                    "「%(before)s」→「%(after)s」"
                )
                result.append(
                    text % {"where": where, "pk": change.pk, "label": change.label,
                       "column": cell.column, "before": cell.before, "after": cell.after}
                )  # fmt: skip
        return result

    def fingerprint(self) -> str:
        """A digest of everything the diff says (the import page compares it before writing)."""
        data = [
            self.added,
            self.unchanged,
            [[c.sheet, c.line, c.pk, [[x.column, x.before, x.after] for x in c.cells]]
             for c in self.changed],
        ]  # fmt: skip
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def cell_changes(
    before: Mapping[str, str], after: Mapping[str, str], columns: Iterable[str]
) -> tuple[CellChange, ...]:
    """The cells of `columns` whose exported text differs (a column the file lacks is kept)."""
    return tuple(
        CellChange(column=c, before=before.get(c, ""), after=after.get(c, ""))
        for c in columns
        if before.get(c, "") != after.get(c, "")
    )


def row_id(row: tabular.Row, known: Mapping[int, object], seen: dict[int, int]) -> int | None:
    """The row's 台帳番号 when it names a row of this register; None when blank.

    A number that is not one, not of this organisation's register (unknown or another
    organisation's: one message for both) or given twice is recorded on the row; the
    result is then 0 (never a primary key), so the row is neither added nor changed.
    """
    text = row.text(ID)
    if not text:
        return None
    if not text.isdigit() or int(text) not in known:
        row.fail(ID, _("台帳番号「%(id)s」はこの組織の台帳にありません。") % {"id": text})
        return 0
    pk = int(text)
    first = seen.setdefault(pk, row.line)
    if first != row.line:
        row.fail(
            ID,
            _("台帳番号「%(id)s」は%(first)d行目と重複しています。") % {"id": text, "first": first},
        )
        return 0
    return pk


def changed_reason() -> str:
    """Why a confirmed import wrote nothing: the register changed since the check."""
    return _(
        "確認の後で台帳が変わったため、何も取り込んでいません。もう一度ファイルを確認してください。"
    )
