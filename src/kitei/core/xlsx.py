"""Reading .xlsx uploads fast enough for 100,000-row registers.

openpyxl opens the workbook in read-only mode (sheet names, shared strings, which styles
are dates); each sheet's XML is then read here, one <row> element at a time, with the
standard library's parser: openpyxl's own cell objects cost three times as much, and a
register import must read 100,000 rows well inside a minute. Cells come out as
`kitei.core.tabular.Value`s exactly as openpyxl would read them (data_only=False): a
formula cell is refused, never evaluated. Should openpyxl's internals move, its own
reader takes over.

The XML parser is expat, which refuses entity expansion attacks (expat >= 2.4) and never
fetches external entities. Before anything is parsed the archive's directory is inspected
(`inspect_archive`): a file whose parts expand beyond KITEI_IMPORT_MAX_UNCOMPRESSED_BYTES,
or holding a large part compressed beyond any spreadsheet's ratio (a zip bomb: a 246 KB
file of 84 MB shared strings), is refused unread. zipfile stops each part at the size the
directory declares. A damaged file (bad CRC, truncated deflate, broken XML) is refused as
a whole with one Japanese reason: every part's CRC is checked before reading.
"""

from __future__ import annotations

import functools
import io
import zipfile
import zlib
from datetime import date, datetime, time
from typing import Any
from xml.etree import ElementTree

from django.conf import settings
from django.utils.translation import gettext as _

from kitei.core.tabular import Bounds, Refused, Rows, UnreadableFileError, Value, cell_text

# A part this large may not be compressed more than MAX_RATIO times: kitei's own export
# compresses about 15:1, Excel's files less; a run of one repeated string compresses 1000:1.
RATIO_FLOOR = 10 * 1024 * 1024
MAX_RATIO = 100
# What reading a damaged archive or its XML may raise (openpyxl adds its own kinds).
DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    ElementTree.ParseError,
    ValueError,
    IndexError,
    TypeError,
)
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _FORMULA = _MAIN + "row", _MAIN + "c", _MAIN + "v", _MAIN + "f"
_INLINE, _TEXT, _RUN = _MAIN + "is", _MAIN + "t", _MAIN + "r"


def _unreadable() -> str:
    return _("ファイルを読み取れません（破損しているか、Excel 形式ではありません）。")


def _formula() -> Refused:
    return Refused(_("数式のセルは取り込めません。値として貼り付けてください。"))


def open_workbook(data: bytes) -> Any:
    """An openpyxl read-only workbook; UnreadableFileError for a damaged or foreign file."""
    import openpyxl  # noqa: PLC0415 - loaded only when an .xlsx file comes

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inspect_archive(archive.infolist())
            # Every part is decompressed once and its CRC checked (1 MiB at a time): a
            # damaged file is refused before any row is read, whatever sheet it breaks.
            if archive.testzip() is not None:
                raise UnreadableFileError(_unreadable())
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except UnreadableFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise UnreadableFileError(_unreadable()) from exc


def inspect_archive(members: list[zipfile.ZipInfo]) -> None:
    """Refuse, unread, an archive that expands too far (UnreadableFileError with the limit)."""
    limit = int(settings.IMPORT_MAX_UNCOMPRESSED_BYTES)
    if sum(m.file_size for m in members) > limit:
        raise UnreadableFileError(
            _("ファイルを展開すると大きすぎます（%(mb)d MB まで）。")
            % {"mb": limit // (1024 * 1024)}
        )
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise UnreadableFileError(
                _("ファイルの一部（%(part)s）の圧縮率が異常に高いため読み取りません。")
                % {"part": member.filename}
            )


def sheet_rows(workbook: Any, name: str, bounds: Bounds | None = None) -> Rows:
    """Non-blank rows of a sheet with their row numbers, within `bounds` (rows, time)."""
    bounds = bounds if bounds is not None else Bounds()
    sheet = workbook[name]
    try:
        source = workbook._archive.open(sheet._worksheet_path)
        strings, dates = sheet._shared_strings, workbook._date_formats
    except AttributeError:  # pragma: no cover - another openpyxl than the one pinned
        yield from _openpyxl_rows(sheet, bounds)
        return
    number = 0
    try:
        with source:
            for _event, element in ElementTree.iterparse(source):
                if element.tag != _ROW:
                    continue
                index = element.get("r")
                number = int(index) if index else number + 1
                values = _row_values(element, strings, dates, workbook.epoch)
                element.clear()
                blank = all(v == "" for v in values)
                bounds.tick(blank=blank)
                if not blank:
                    yield number, values
    except UnreadableFileError:
        raise
    except DAMAGED as exc:  # bad CRC, truncated part, broken XML: met while reading
        raise UnreadableFileError(_unreadable()) from exc


def _openpyxl_rows(sheet: Any, bounds: Bounds) -> Rows:  # pragma: no cover - the fallback
    for number, cells in enumerate(sheet.iter_rows(), 1):
        values = [_openpyxl_value(c) for c in cells]
        blank = all(v == "" for v in values)
        bounds.tick(blank=blank)
        if not blank:
            yield number, values


def _openpyxl_value(cell: Any) -> Value:  # pragma: no cover - the fallback reader
    if cell.data_type == "f":
        return _formula()
    if cell.data_type == "e":
        return Refused(_("セルがエラー（%(value)s）です。") % {"value": cell.value})
    return cell_text(cell.value) if isinstance(cell.value, str) else plain(cell.value)


def _row_values(row: Any, strings: Any, dates: Any, epoch: datetime) -> list[Value]:
    values: list[Value] = []
    for cell in row:
        if cell.tag != _CELL:
            continue
        ref = cell.get("r")
        if ref:
            index = _column_index(ref.rstrip("0123456789"))
            if index > len(values):
                values.extend([""] * (index - len(values)))
        values.append(_cell_value(cell, strings, dates, epoch))
    return values


@functools.cache
def _column_index(letters: str) -> int:
    from openpyxl.utils import column_index_from_string  # noqa: PLC0415

    return column_index_from_string(letters) - 1


def _cell_value(cell: Any, strings: Any, dates: Any, epoch: datetime) -> Value:
    """One <c> element as a Value."""
    if cell.find(_FORMULA) is not None:
        return _formula()
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        box = cell.find(_INLINE)
        return cell_text(_inline_text(box)) if box is not None else ""
    value = cell.findtext(_VALUE)
    if not value:
        return ""
    return _typed(kind, value, strings, int(cell.get("s", 0)) in dates, epoch)


def _typed(kind: str, value: str, strings: Any, is_date: bool, epoch: datetime) -> Value:
    if kind == "n":
        return _number(value, is_date, epoch)
    if kind == "s":
        return cell_text(str(strings[int(value)]))
    if kind == "e":
        return Refused(_("セルがエラー（%(value)s）です。") % {"value": value})
    if kind == "b":
        return plain(value != "0")
    if kind == "d":
        return plain(datetime.fromisoformat(value))
    return cell_text(value)  # "str": the text a formula left


def _number(value: str, is_date: bool, epoch: datetime) -> Value:
    number = float(value) if any(c in value for c in ".eE") else int(value)
    if not is_date:
        return plain(number)
    from openpyxl.utils.datetime import from_excel  # noqa: PLC0415

    try:
        return plain(from_excel(number, epoch))
    except (OverflowError, ValueError):
        return Refused(_("日付として読み取れません（%(value)s）。") % {"value": value})


def _inline_text(box: Any) -> str:
    """An inline string's text: its <t>, or its rich-text runs' (never the ruby, <rPh>)."""
    parts = []
    for child in box:
        if child.tag == _TEXT:
            parts.append(child.text or "")
        elif child.tag == _RUN:
            parts.append(child.findtext(_TEXT) or "")
    return "".join(parts)


def plain(value: object) -> str | date:
    """A number, boolean or date as the registers read it (はい/いいえ, 5 not 5.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("はい") if value else _("いいえ")
    if isinstance(value, datetime):
        return value.date() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
