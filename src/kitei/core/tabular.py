"""Registers as spreadsheets: reading .xlsx and CSV uploads, writing them, and formula safety.

Reading turns every cell into a `Value`: text (stripped), a date, or `Refused` with the
Japanese reason a cell cannot be taken. Line numbers are the spreadsheet's row numbers
(CSV: records, the heading row being line 1). Nothing here knows a register; the
register modules (`kitei.assets.transfer`, `kitei.systems.transfer`) name the columns.

Formula injection (CSV/Excel injection) is handled in both directions:
- export: a text starting with = + - @, a tab or a carriage return is written to CSV with
  a leading apostrophe, and to .xlsx as a string cell (never a formula) marked
  quotePrefix, so that Excel keeps it text even when the cell is edited;
- import: an .xlsx formula cell is refused (its value is not known without a
  spreadsheet program); a CSV cell starting with one of those characters is refused
  unless it starts with the apostrophe, which is taken off (that is how the export
  writes it, and how Excel users mark a text).

A cell holding a control character (NUL …, `kitei.core.validators`) is refused. Reading is
bounded (`kitei.core.read_limits`): at most KITEI_IMPORT_MAX_ROWS non-blank rows and
KITEI_IMPORT_MAX_SECONDS of reading (less within `time_limit`, as the pages ask); past
either the file is refused as a whole (UnreadableFileError) and nothing is written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from kitei.core import progress

# Re-exported: the registers and pages know these as tabular's.
from kitei.core.read_limits import Bounds as Bounds  # noqa: PLC0414 - explicit re-export
from kitei.core.read_limits import UnreadableFileError as UnreadableFileError  # noqa: PLC0414
from kitei.core.read_limits import time_limit as time_limit  # noqa: PLC0414 - re-export
from kitei.core.validators import has_control_characters

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A text that a spreadsheet may take for a formula, behind any number of apostrophes: the
# export adds one apostrophe to such a text and the import takes one off, so every text
# round-trips (「'=x」 is written 「''=x」).
QUOTED = re.compile(r"^'*[=+\-@\t\r]")
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary format (.xls)
DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?: 0?0:00(?::00)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed in XML 1.0


def control_reason() -> str:
    """Why a cell with a control character is refused."""
    return _("制御文字（NUL など）を含む値は取り込めません。")


def cell_text(raw: str) -> Value:
    """A text cell as read: stripped, or Refused when it holds a control character."""
    if has_control_characters(raw):
        return Refused(control_reason())
    return raw.strip()


@dataclass(frozen=True)
class Refused:
    """A cell that cannot be imported, with the reason in Japanese."""

    reason: str


Value = str | date | Refused
Rows = Iterator[tuple[int, list[Value]]]


@dataclass(frozen=True, kw_only=True)
class RowError:
    """One problem of an upload: sheet, line (None: the whole file), column and reason."""

    line: int | None
    column: str
    reason: str
    sheet: str = ""

    def __str__(self) -> str:
        where = _("%(line)d行目") % {"line": self.line} if self.line else _("ファイル")
        if self.sheet:
            where = f"「{self.sheet}」{where}"
        return f"{where} {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"


def formula_reason(text: str) -> str:
    """Why a CSV cell that a spreadsheet would take for a formula is refused."""
    first = {"\t": _("タブ"), "\r": _("改行")}.get(text[0], text[0])
    return _(
        "「%(first)s」で始まる値は表計算ソフトで数式とみなされるため取り込めません。"
        "文字列として取り込むには先頭に「'」を付けてください。"
    ) % {"first": first}


def _csv_value(raw: str) -> Value:
    if has_control_characters(raw):
        return Refused(control_reason())
    if raw[:1] in TRIGGERS:
        return Refused(formula_reason(raw))
    text = raw.strip()
    if text[:1] == "'" and QUOTED.match(text):
        return text[1:]  # the apostrophe that marks a text (our export writes it)
    if text[:1] in TRIGGERS:
        return Refused(formula_reason(text))
    return text


def decode(data: bytes) -> str:
    """The text of a CSV file: UTF-8 (a BOM is dropped), else Shift_JIS (cp932)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            _("文字コードを読み取れません。UTF-8 または Shift_JIS で保存してください。")
        ) from exc


class Tables:
    """The sheets of an upload (a CSV file is one sheet without a title)."""

    def __init__(self, data: bytes) -> None:
        self.workbook: Any = None
        self.text = ""
        self.bounds = Bounds()
        if data.startswith(XLSX_MAGIC):
            from kitei.core import xlsx  # noqa: PLC0415 - it imports this module

            self.workbook = xlsx.open_workbook(data)
            self.bounds.check_time()
            self.names: list[str] = list(self.workbook.sheetnames)
        elif data.startswith(XLS_MAGIC):
            raise UnreadableFileError(
                _("古い Excel 形式（.xls）は読めません。.xlsx か CSV で保存してください。")
            )
        else:
            self.text = decode(data)
            self.names = [""]

    @property
    def is_xlsx(self) -> bool:
        return self.workbook is not None

    def pick(self, *titles: str) -> str | None:
        """The first of `titles` the file has; for CSV the one sheet, whatever asked."""
        if not self.is_xlsx:
            return ""
        return next((t for t in titles if t in self.names), None)

    def rows(self, name: str) -> Rows:
        """Non-blank rows of a sheet with their line numbers."""
        if self.is_xlsx:
            from kitei.core import xlsx  # noqa: PLC0415 - it imports this module

            yield from xlsx.sheet_rows(self.workbook, name, self.bounds)
            return
        try:
            reader = csv.reader(io.StringIO(self.text, newline=""))
            for number, raw in enumerate(reader, 1):
                values = [_csv_value(c) for c in raw]
                blank = all(v == "" for v in values)
                self.bounds.tick(blank=blank)
                if not blank:
                    yield number, values
        except csv.Error as exc:
            raise UnreadableFileError(
                _("CSV として読み取れません（%(error)s）。") % {"error": exc}
            ) from exc

    def close(self) -> None:
        if self.workbook is not None:
            self.workbook.close()


@contextmanager
def open_tables(data: bytes) -> Iterator[Tables]:
    """The upload's sheets, closed afterwards; UnreadableFileError when it is no .xlsx or CSV."""
    tables = Tables(data)
    try:
        yield tables
    finally:
        tables.close()


def heading_columns(
    line: int,
    heading: Sequence[Value],
    *,
    known: dict[str, str],
    required: Sequence[str],
    sheet: str = "",
) -> tuple[dict[str, int], list[RowError]]:
    """Column index of each heading (by canonical title), and the heading row's errors.

    `known` maps every accepted heading (titles and aliases) to its canonical title.
    """
    columns: dict[str, int] = {}
    errors: list[RowError] = []
    for index, cell in enumerate(heading):
        title = cell if isinstance(cell, str) else ""
        if not title:
            continue  # an empty heading cell (Excel pads rows); its cells must stay empty
        canonical = known.get(title.replace("\u3000", "").replace(" ", ""))
        if canonical is None:
            reason = _("見出し「%(title)s」は使えません（使える見出し: %(all)s）。") % {
                "title": title,
                "all": "、".join(dict.fromkeys(known.values())),
            }
        elif canonical in columns:
            reason = _("見出し「%(title)s」が重複しています。") % {"title": title}
        else:
            columns[canonical] = index
            continue
        errors.append(RowError(sheet=sheet, line=line, column=title, reason=reason))
    for title in required:
        if title not in columns:
            reason = _("見出し「%(title)s」がありません。") % {"title": title}
            errors.append(RowError(sheet=sheet, line=line, column=title, reason=reason))
    return columns, errors


def parse_date(value: Value) -> date:
    """A date cell or text (2030-03-31, 2030/3/31, 2030年3月31日); ValueError otherwise."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        for pattern in DATE_PATTERNS:
            match = pattern.match(value)
            if match:
                year, month, day = (int(g) for g in match.groups())
                return date(year, month, day)
    raise ValueError(value)


@dataclass(frozen=True, kw_only=True)
class Sheet:
    """A sheet to write: title, headings and rows (text, dates, numbers or None)."""

    title: str
    headings: Sequence[str]
    rows: Iterable[Sequence[object]]
    count: int = 0  # number of rows, written as the sheet's dimension (faster reading)
    widths: Sequence[int] = ()
    wrap: Sequence[int] = ()  # columns (0-based) whose text wraps in its cell (several lines)


def neutralise(text: str) -> str:
    """A CSV cell that no spreadsheet takes for a formula (a leading apostrophe)."""
    return "'" + text if QUOTED.match(text) else text


def write_csv(sheet: Sheet) -> bytes:
    """One sheet as CSV: UTF-8 with BOM (Excel opens it as such), CRLF, formulas neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(sheet.headings)
    for row in sheet.rows:
        writer.writerow([_csv_text(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def write_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """Sheets as one .xlsx; every text is a string cell, never a formula."""
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    workbook = Workbook(write_only=True)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title)
        last = f"{get_column_letter(len(sheet.headings))}{sheet.count + 1}"
        # The write-only sheet knows no size; telling it lets readers skip a full pass.
        setattr(ws, "calculate_dimension", lambda last=last: f"A1:{last}")  # noqa: B010 - no such attribute on the type
        for index, width in enumerate(sheet.widths, 1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        heading = []
        for title in sheet.headings:
            cell = WriteOnlyCell(ws, value=title)
            cell.font = Font(bold=True)
            heading.append(cell)
        ws.append(heading)
        wrapped = Alignment(wrap_text=True, vertical="top")
        for row in sheet.rows:
            cells: list[Any] = [_xlsx_cell(ws, v, WriteOnlyCell) for v in row]
            for index in sheet.wrap:
                cell = cells[index]
                if isinstance(cell, str) and "\n" in cell:
                    cell = cells[index] = WriteOnlyCell(ws, value=cell)
                if hasattr(cell, "alignment"):
                    cell.alignment = wrapped
            ws.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(ws: Any, value: object, make_cell: Any) -> object:
    if not isinstance(value, str):
        return value
    text = ILLEGAL.sub("", value)
    if text[:1] not in TRIGGERS:
        return text
    cell = make_cell(ws, value=text)
    cell.data_type = "s"  # openpyxl takes a text starting with = for a formula
    cell.quotePrefix = True
    return cell


@dataclass
class Row:
    """One data row being read: its cells by heading, and the errors found in it."""

    sheet: str
    line: int
    cells: list[Value]
    columns: dict[str, int]
    errors: list[RowError]

    def __post_init__(self) -> None:
        self._start = len(self.errors)
        known = set(self.columns.values())
        if any(v != "" for i, v in enumerate(self.cells) if i not in known):
            self.fail("", _("見出しのない列に値があります。"))

    @property
    def ok(self) -> bool:
        """Whether this row has no error so far."""
        return len(self.errors) == self._start

    def fail(self, column: str, reason: str) -> None:
        """Record a problem of this row."""
        self.errors.append(RowError(sheet=self.sheet, line=self.line, column=column, reason=reason))

    def value(self, column: str) -> Value:
        """The cell under a heading ("" when the file has no such column)."""
        index = self.columns.get(column)
        return self.cells[index] if index is not None and index < len(self.cells) else ""

    def text(self, column: str, *, required: bool = False, limit: int | None = None) -> str:
        """The cell as text; a refused, missing or too long cell is recorded and gives ""."""
        value = self.value(column)
        if isinstance(value, Refused):
            self.fail(column, value.reason)
            return ""
        text = value.isoformat() if isinstance(value, date) else value
        if required and not text:
            self.fail(column, _("%(column)sがありません（必須）。") % {"column": column})
        elif limit is not None and len(text) > limit:
            self.fail(column, _("%(limit)d文字以内で入力してください。") % {"limit": limit})
            return ""
        return text

    def date_value(self, column: str) -> date | None:
        """The cell as a date (None when blank); a bad date is recorded."""
        value = self.value(column)
        if isinstance(value, Refused):
            self.fail(column, value.reason)
            return None
        if value == "":
            return None
        try:
            return parse_date(value)
        except ValueError:
            self.fail(
                column, _("日付は 2030-03-31 の形で入力してください（「%(v)s」）。") % {"v": value}
            )
            return None


def body(
    tables: Tables,
    name: str,
    *,
    known: dict[str, str],
    required: Sequence[str],
    errors: list[RowError],
    empty: str | None = None,
) -> tuple[dict[str, int], Rows]:
    """A sheet's heading columns and its data rows (the heading is its first non-blank row).

    Heading errors are appended to `errors`; the rows are then empty. `empty` is the
    reason given for a sheet without a single row (by default 「空のシートです。」). Each
    row handled is counted for a background import's progress (`kitei.core.progress`).
    """
    rows = tables.rows(name)
    first = next(rows, None)
    if first is None:
        reason = empty if empty is not None else _("空のシートです。")
        errors.append(RowError(sheet=name, line=None, column="", reason=reason))
        return {}, iter(())
    columns, problems = heading_columns(
        first[0], first[1], known=known, required=required, sheet=name
    )
    if problems:
        errors.extend(problems)
        return columns, iter(())
    return columns, progress.counted(rows)


def error_lines(errors: Iterable[RowError]) -> list[str]:
    """One Japanese line per error, for the command line."""
    return [str(e) for e in errors]


def error_lines_by_row(errors: Iterable[RowError]) -> list[str]:
    """One Japanese line per bad row, its errors joined: 「3行目: 氏名: …／役割: …」."""
    by_row: dict[tuple[str, int | None], list[RowError]] = {}
    for error in errors:
        by_row.setdefault((error.sheet, error.line), []).append(error)
    lines = []
    for (sheet, line), found in by_row.items():
        where = _("%(line)d行目") % {"line": line} if line else _("ファイル")
        if sheet:
            where = f"「{sheet}」{where}"
        parts = [f"{e.column}: {e.reason}" if e.column else e.reason for e in found]
        lines.append(f"{where}: " + "／".join(parts))
    return lines
