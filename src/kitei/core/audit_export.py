"""The audit trail as an .xlsx workbook: the filtered records, in words, for an auditor.

Two sheets: 「変更記録」 one row per record (time as a real date cell, who, what, which
object, the changes as lines 「項目: 前 → 後」, the hash), and 「変更の項目」 one row per
changed key, for sorting and filtering in Excel. Every text that a spreadsheet could take
for a formula (= + - @ …) starts with an apostrophe, so that no cell of the file — and no
CSV saved from it — begins with one. Reading the trail is not a change: nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core import audit_queries, tabular
from kitei.core.models import ChangeRecord, Organization

CHUNK = 2_000  # records read, named and written at a time


def max_rows() -> int:
    """The most records one export holds (KITEI_AUDIT_EXPORT_ROWS, default 10,000)."""
    return int(settings.AUDIT_EXPORT_ROWS)


def _text(value: str) -> str:
    """A text cell no spreadsheet takes for a formula: a leading apostrophe when needed."""
    return tabular.neutralise(value)


def _local(at: datetime) -> datetime:
    """A naive local time: Excel's date cells know no time zone."""
    return timezone.localtime(at).replace(tzinfo=None)


def _chunks(found: QuerySet[ChangeRecord]) -> Iterator[list[ChangeRecord]]:
    """The records newest first, CHUNK at a time, each chunk cut by seq (the index)."""
    below: int | None = None
    while True:
        query = found.order_by("-seq")
        if below is not None:
            query = query.filter(seq__lt=below)
        rows = list(query[:CHUNK])
        if not rows:
            return
        yield rows
        below = rows[-1].seq


def _record_row(entry: audit_queries.Entry) -> list[object]:
    record = entry.record
    lines = [f"{c.label}: {c.before} → {c.after}" for c in entry.changed]
    return [
        record.seq,
        _local(record.at),
        _text(entry.actor),
        _text(entry.actor_login),
        _text(entry.action),
        record.action,
        _text(entry.object_label),
        _text(entry.object_name),
        record.object_id,
        _text("\n".join(lines)),
        record.hash,
    ]


def _field_rows(entry: audit_queries.Entry) -> list[list[object]]:
    record = entry.record
    return [
        [
            record.seq,
            _local(record.at),
            _text(entry.actor),
            _text(entry.action),
            _text(entry.object_label),
            _text(entry.object_name),
            _text(change.label),
            _text(change.before),
            _text(change.after),
        ]
        for change in entry.changed
    ]


def export(
    organization: Organization,
    filters: audit_queries.AuditFilters,
    *,
    viewer: Any,
) -> bytes:
    """The filtered records as .xlsx, newest first (at most `max_rows()`; check first)."""
    found = audit_queries.records(organization, filters)
    record_rows: list[Sequence[object]] = []
    field_rows: list[Sequence[object]] = []
    for chunk in _chunks(found):
        for entry in audit_queries.entries(organization, chunk, viewer=viewer, links=False):
            record_rows.append(_record_row(entry))
            field_rows.extend(_field_rows(entry))
        if len(record_rows) >= max_rows():
            break
    sheets = [
        tabular.Sheet(
            title=_("変更記録"),
            headings=[
                _("連番"),
                _("日時"),
                _("実行者"),
                _("ログイン名・操作者"),
                _("操作"),
                _("操作の識別子"),
                _("対象の種類"),
                _("対象"),
                _("対象の番号"),
                _("変更内容（項目: 変更前 → 変更後）"),
                _("ハッシュ（SHA-256）"),
            ],
            rows=record_rows[: max_rows()],
            count=min(len(record_rows), max_rows()),
            widths=[9, 19, 16, 16, 22, 18, 16, 24, 10, 60, 20],
            wrap=[9],
        ),
        tabular.Sheet(
            title=_("変更の項目"),
            headings=[
                _("連番"),
                _("日時"),
                _("実行者"),
                _("操作"),
                _("対象の種類"),
                _("対象"),
                _("項目"),
                _("変更前"),
                _("変更後"),
            ],
            rows=field_rows,
            count=len(field_rows),
            widths=[9, 19, 16, 22, 16, 24, 20, 30, 30],
            wrap=[7, 8],
        ),
    ]
    return tabular.write_xlsx(sheets)
