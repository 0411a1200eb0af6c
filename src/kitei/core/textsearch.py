"""Partial-match search of the registers with the database's text search (issue 16).

`q` finds rows where any of the searched columns contains the text (議員名簿 is found by
名簿, 議員名, 員名簿 …), case-insensitively for Latin letters — the meaning `icontains` had.
How the database finds them:

- **SQLite**: an FTS5 table with the trigram tokenizer (`<table>_fts`, external content,
  kept in step with the register by triggers, so bulk imports and updates are covered; made
  by the register's migration). A text of 3 characters or more is a phrase query on it:
  every trigram of the text, next to each other, i.e. the text as a substring.
- **PostgreSQL**: GIN trigram indexes (pg_trgm) on `UPPER(column)`, which serve Django's
  `icontains` (`UPPER(col) LIKE UPPER('%…%')`) for 3 characters or more.
- **1 or 2 characters** (`名簿`, `課`): no trigram exists, so both databases fall back to
  `icontains` (LIKE) on the organisation's rows, read in the list's own index order
  (organisation, newest first): a common text fills a page at once; a rare one reads the
  organisation's rows once.

Always combined with the organisation's scope by the caller (`access.scoped`): the FTS table
gives row ids of every organisation, and the register's query keeps only its own.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

TRIGRAM = 3  # characters: the shortest text the trigram indexes find


# An FTS5 table and its shadow tables: derived from the register, never data of their own.
_DERIVED = re.compile(r".+_fts(_data|_idx|_docsize|_config|_content)?")


def derived(table: str) -> bool:
    """Whether a table is a text-search table (or one of its shadow tables)."""
    return _DERIVED.fullmatch(table) is not None


def fts_table(table: str) -> str:
    """The SQLite FTS5 table of a register table."""
    return f"{table}_fts"


def _phrase(text: str) -> str:
    """The text as one FTS5 phrase (a double quote doubled inside it)."""
    return '"' + text.replace('"', '""') + '"'


def uses_fts(queryset: QuerySet[Any], text: str) -> bool:
    """Whether the text is searched through the SQLite FTS5 table."""
    return connections[queryset.db].vendor == "sqlite" and len(text) >= TRIGRAM


def contains(
    queryset: QuerySet[Any], text: str, fields: tuple[str, ...], *, table: str | None = None
) -> QuerySet[Any]:
    """The rows where any of `fields` contains `text` (case-insensitive for Latin letters).

    `table`: the register table whose FTS5 table indexes `fields` (SQLite): every column of
    it, or the one field given; None searches with LIKE / PostgreSQL's trigram indexes only.
    """
    if table and uses_fts(queryset, text):
        fts = fts_table(table)
        columns = fields if len(fields) == 1 else ()
        query = f"{columns[0]} : {_phrase(text)}" if columns else _phrase(text)
        # The table name is the register's, never the user's; the text is a parameter.
        ids = RawSQL(f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", (query,))
        return queryset.filter(pk__in=ids)
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": text})
    return queryset.filter(condition)
