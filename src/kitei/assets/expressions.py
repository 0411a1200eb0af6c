"""An asset's level on one classification axis as an SQL expression that indexes can match."""

from __future__ import annotations

import re
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, F, Func
from django.db.models.sql.compiler import SQLCompiler

AXIS_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}")  # nothing to escape in SQL


class AxisLevel(Func):
    """`classification`'s level id on `axis`, as text.

    Django's key lookups pass the JSON path as a query parameter, which no expression
    index can match; here the axis id (a pack identifier, checked against AXIS_ID) is
    written into the SQL, the same in the index and in the query.
    """

    output_field = CharField()

    def __init__(self, axis: str, **extra: Any) -> None:
        if not AXIS_ID.fullmatch(axis):
            raise ValueError(f"not an axis id: {axis!r}")
        self.axis = axis
        super().__init__(F("classification"), **extra)

    def as_sql(  # type: ignore[override]  # narrower than Func.as_sql's catch-all signature
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            return f"({column} ->> '{self.axis}')", list(params)
        return f"json_extract({column}, '$.\"{self.axis}\"')", list(params)
