"""Bounds on reading an uploaded register file: rows, time, and the error that refuses it.

KITEI_IMPORT_MAX_ROWS non-blank rows and KITEI_IMPORT_MAX_SECONDS of reading at most (a
page asks for less with `time_limit`: it must answer before its worker is stopped). The
readers (`kitei.core.tabular`, `kitei.core.xlsx`) tick a `Bounds` for every row they read;
past a bound the file is refused as a whole and nothing is written.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

# Seconds a surface allows for reading a file, below KITEI_IMPORT_MAX_SECONDS (`time_limit`).
_TIME_LIMIT: ContextVar[float | None] = ContextVar("kitei_import_time_limit", default=None)
CHECK_EVERY = 256  # rows between two looks at the clock


class UnreadableFileError(ValueError):
    """The file as a whole cannot be read (not .xlsx or CSV, unknown encoding, too large …)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Read files within `seconds` inside this block (a page must answer before its worker
    is stopped); KITEI_IMPORT_MAX_SECONDS still applies when it is lower."""
    token = _TIME_LIMIT.set(seconds)
    try:
        yield
    finally:
        _TIME_LIMIT.reset(token)


def _seconds() -> float:
    limit = float(settings.IMPORT_MAX_SECONDS)
    asked = _TIME_LIMIT.get()
    return limit if asked is None else min(limit, asked)


@dataclass
class Bounds:
    """The rows read so far and the moment reading must stop; UnreadableFileError past them."""

    max_rows: int = field(default_factory=lambda: int(settings.IMPORT_MAX_ROWS))
    seconds: float = field(default_factory=_seconds)
    started: float = field(default_factory=time.monotonic)
    rows: int = 0
    seen: int = 0

    def tick(self, *, blank: bool = False) -> None:
        """Count a row read (blank rows only for the clock)."""
        self.seen += 1
        if not blank:
            self.rows += 1
            if self.rows > self.max_rows:
                raise UnreadableFileError(
                    _("行が多すぎます（%(max)s 行まで）。ファイルを分けてください。")
                    % {"max": f"{self.max_rows:,}"}
                )
        if self.seen % CHECK_EVERY == 1:  # the first row, then every CHECK_EVERY rows
            self.check_time()

    def check_time(self) -> None:
        """Refuse the file once reading has taken longer than allowed."""
        if time.monotonic() - self.started > self.seconds:
            raise UnreadableFileError(
                _(
                    "ファイルの読み取りに時間がかかりすぎるため中止しました"
                    "（%(s)d 秒まで）。ファイルを分けてください。"
                )
                % {"s": self.seconds}
            )
