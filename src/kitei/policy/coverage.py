"""Which element of a pack encodes each clause of its seed (`kitei policy coverage`).

The pack's YAML is read generically: every mapping that carries a `clause` (a rule, a role,
a grant, a note, a reporting step, a duty, a book, a parameter, a control, and any key added
later) is an element encoding that clause, named by its path in the pack
(`rules/take-out-needs-manager`, `reporting/incident/steps/2`). A clause none cites directly is
either covered through its sub-clauses or left: nothing encodes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kitei.policy.clauses import Clause, ClauseIndex
from kitei.policy.loader import LoadedPack


@dataclass(frozen=True, kw_only=True)
class Element:
    """One element of a pack that cites a clause."""

    kind: str  # the top-level key it lives under: rules, notes, roles …
    path: str  # rules/take-out-needs-manager
    line: int
    clause: str
    source: str | None  # a seed other than the pack's, when the element names one


@dataclass(frozen=True, kw_only=True)
class Row:
    """One clause of the seed and what encodes it."""

    clause: Clause
    elements: tuple[Element, ...]
    in_sub_clauses: bool  # nothing cites it, but some of its sub-clauses are encoded

    @property
    def status(self) -> str:
        if self.elements:
            return "encoded"
        return "sub-clauses" if self.in_sub_clauses else "nothing"


def elements(data: Any) -> Iterator[Element]:
    """Every mapping of the pack's YAML data that carries a clause, in file order."""

    def walk(value: Any, path: tuple[str, ...]) -> Iterator[Element]:
        if isinstance(value, dict):
            clause = value.get("clause")
            if isinstance(clause, str) and path:
                source = value.get("source")
                yield Element(
                    kind=path[0],
                    path="/".join(path),
                    line=getattr(value, "key_lines", {}).get("clause", getattr(value, "line", 1)),
                    clause=clause,
                    source=source if isinstance(source, str) else None,
                )
            for key, item in value.items():
                yield from walk(item, (*path, str(key)))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                name = item.get("id") if isinstance(item, dict) else None
                yield from walk(item, (*path, str(name) if isinstance(name, str) else str(i)))

    yield from walk(data, ())


def coverage(loaded: LoadedPack, index: ClauseIndex) -> tuple[list[Row], list[Element]]:
    """Every clause of the seed with the elements citing it; and elements citing no clause."""
    own = [e for e in elements(loaded.data) if e.source in (None, loaded.pack.source)]
    by_clause: dict[str, list[Element]] = {}
    unknown: list[Element] = []
    for element in own:
        clause = index.get(element.clause)
        if clause is None:
            unknown.append(element)
        else:
            by_clause.setdefault(clause.id, []).append(element)
    rows = []
    for clause in index.clauses:
        cited = tuple(by_clause.get(clause.id, ()))
        below = any(
            other.id in by_clause
            for other in index.clauses
            if other is not clause
            and other.toc == clause.toc
            and clause.start <= other.start
            and other.end <= clause.end
        )
        rows.append(Row(clause=clause, elements=cited, in_sub_clauses=below and not cited))
    return rows, unknown


def coverage_json(rows: list[Row], unknown: list[Element], path: Path) -> dict[str, Any]:
    """The coverage as JSON: per clause its lines, status and the elements encoding it."""
    return {
        "clauses": [
            {
                "id": r.clause.id,
                "lines": [r.clause.start, r.clause.end],
                "heading": r.clause.heading,
                "status": r.status,
                "encoded_by": [
                    {"kind": e.kind, "path": e.path, "line": e.line} for e in r.elements
                ],
            }
            for r in rows
        ],
        "not_in_seed": [{"clause": e.clause, "path": e.path, "line": e.line} for e in unknown],
        "summary": summary(rows),
        "pack_file": str(path),
    }


def summary(rows: list[Row]) -> dict[str, int]:
    """How many clauses are encoded, covered through sub-clauses, or left."""
    counts = {"clauses": len(rows), "encoded": 0, "sub-clauses": 0, "nothing": 0}
    for row in rows:
        counts[row.status] += 1
    return counts


def format_coverage(rows: list[Row], unknown: list[Element], path: Path) -> str:
    """One line per clause: id, lines, what encodes it (or — for nothing)."""
    lines = []
    for row in rows:
        c = row.clause
        where = f"{c.start}" if c.start == c.end else f"{c.start}-{c.end}"
        if row.elements:
            what = "; ".join(f"{e.path} (line {e.line})" for e in row.elements)
        elif row.in_sub_clauses:
            what = "(sub-clauses)"
        else:
            what = "—"
        lines.append(f"{c.id}\t{where}\t{what}")
    for e in unknown:
        lines.append(f"{path}:{e.line}: {e.path} cites clause '{e.clause}', not in the seed")
    counts = summary(rows)
    lines.append(
        f"{counts['clauses']} clauses: {counts['encoded']} encoded, {counts['sub-clauses']} "
        f"through their sub-clauses, {counts['nothing']} with nothing"
    )
    return "\n".join(lines)
