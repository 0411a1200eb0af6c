"""How far a long piece of work has come, told by the code doing it to whoever watches.

The readers of register files count their rows through `counted` and an import says
`writing()` before it opens its write transaction. Outside a background task nobody is
listening and both cost nothing; inside one (`kitei.core.imports`) a `Reporter` stores the
count where the import page reads it. Free of model imports: `kitei.core.tabular` uses it.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol, TypeVar

T = TypeVar("T")


class Reporter(Protocol):
    """Whoever listens: told of each row read, and when writing begins."""

    def advance(self, rows: int = 1) -> None: ...

    def writing(self) -> None: ...


_current: ContextVar[Reporter | None] = ContextVar("kitei_progress", default=None)


@contextmanager
def reporting(reporter: Reporter) -> Generator[Reporter]:
    """Within the block, `counted` and `writing` tell `reporter`."""
    token = _current.set(reporter)
    try:
        yield reporter
    finally:
        _current.reset(token)


def counted(rows: Iterable[T]) -> Iterator[T]:
    """`rows` as they are; when someone listens, each row is counted once it is handled."""
    reporter = _current.get()
    if reporter is None:
        return iter(rows)
    return _counting(rows, reporter)


def _counting(rows: Iterable[T], reporter: Reporter) -> Iterator[T]:
    for row in rows:
        yield row
        reporter.advance()  # the consumer asked for the next row: this one is done


def writing() -> None:
    """Say that every row is checked and the write transaction begins."""
    reporter = _current.get()
    if reporter is not None:
        reporter.writing()
