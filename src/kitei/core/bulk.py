"""Inserting many rows at once, for bulk imports: plain SQL, a few statements per 10,000 rows.

The ORM's bulk_create spends about 0.3 ms of Python on every object (building it, then
preparing each field); a 100,000-row import cannot afford that. Here rows are tuples of
plain values in the named columns' order, and
- on PostgreSQL one `INSERT … SELECT * FROM unnest(%s::type[], …)` takes a whole batch
  as one array per column (a short statement: psycopg binds it fast);
- on SQLite a multi-row `INSERT … VALUES (…), (…)` takes a batch.
With `returning`, the new ids come back in the rows' order: the ids one statement takes
from its table's sequence rise in the order of its rows.
Only the callers check the rows (services do, before they call this).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import models, transaction

BATCH = {"postgresql": 10_000, "sqlite": 500}  # SQLite: 500 rows x 15 columns of parameters


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning: bool = False,
) -> list[int]:
    """Insert `rows` (values of the fields named `columns`, JSON fields as Python values).

    Returns the new primary keys in the rows' order when `returning`, else [].
    """
    db = transaction.get_connection()
    fields = [model._meta.get_field(name) for name in columns]
    prepare = [_preparer(field, db) for field in fields]
    prepared = [[p(v) if p else v for p, v in zip(prepare, row, strict=True)] for row in rows]
    q = db.ops.quote_name
    table, names = q(model._meta.db_table), ", ".join(q(f.column) for f in fields)  # type: ignore[union-attr]  # concrete fields
    size = BATCH.get(db.vendor, 100)
    ids: list[int] = []
    with db.cursor() as cursor:
        for start in range(0, len(prepared), size):
            batch = prepared[start : start + size]
            if db.vendor == "postgresql":
                sql, params = _unnest(table, names, fields, batch, db)
            else:
                one = "(" + ", ".join(["%s"] * len(fields)) + ")"
                sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(batch))}"
                params = [value for row in batch for value in row]
            if returning:
                cursor.execute(f"{sql} RETURNING {q(model._meta.pk.column)}", params)
                ids.extend(sorted(r[0] for r in cursor.fetchall()))
            else:
                cursor.execute(sql, params)
    return ids


def _preparer(field: Any, db: Any) -> Any:
    """How a column's values become parameters (None: as they are)."""
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, cls=field.encoder)
    if isinstance(field, models.DateTimeField | models.DateField):
        cache: dict[Any, Any] = {}  # an import's rows share one time

        def adapt(value: Any) -> Any:
            if value not in cache:
                cache[value] = field.get_db_prep_save(value, db)
            return cache[value]

        return adapt
    if isinstance(field, models.ForeignKey):
        return lambda value: value.pk if isinstance(value, models.Model) else value
    return None


def _unnest(
    table: str, names: str, fields: Sequence[Any], batch: list[list[Any]], db: Any
) -> tuple[str, list[list[Any]]]:
    """PostgreSQL: one array parameter per column, unnested into rows."""
    arrays, selected = [], []
    for index, field in enumerate(fields):
        column_type = "text" if isinstance(field, models.JSONField) else field.db_type(db)
        arrays.append(f"%s::{column_type}[]")
        selected.append(f"c{index}::jsonb" if isinstance(field, models.JSONField) else f"c{index}")
    aliases = ", ".join(f"c{i}" for i in range(len(fields)))
    sql = (
        f"INSERT INTO {table} ({names}) SELECT {', '.join(selected)} "
        f"FROM unnest({', '.join(arrays)}) AS u({aliases})"
    )
    return sql, [[row[i] for row in batch] for i in range(len(fields))]
