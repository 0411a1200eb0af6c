"""Checks every citation of a pack against its seed's clause index (`validate --seeds`).

For each mapping of the pack that carries `clause` and/or `quote`:

- the quote must be verbatim in the seed (whitespace ignored, `…` an elision); if it is not,
  the nearest text of the seed is suggested, with its line and clause;
- the clause must exist in the seed's clause index (`kitei policy clauses`), else the closest
  ids are suggested, and where the quote really is;
- the quote must lie inside the cited clause's span (a parent's span holds its children),
  else the clause(s) where it does occur are suggested.

A seed file or folder that does not exist is reported once.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kitei.policy.clauses import Clause, ClauseIndex, build_index
from kitei.policy.loader import LoadedPack
from kitei.policy.quotes import _ELISION, normalise, quote_found

SUGGEST_RATIO = 0.6
"""How close (difflib ratio) a span of the seed must be to a quote to be suggested."""


@dataclass
class _Seed:
    index: ClauseIndex
    text: str  # normalised
    spans: dict[str, str] = field(default_factory=dict)  # clause id → normalised span text

    def span(self, clause: Clause) -> str:
        if clause.id not in self.spans:
            self.spans[clause.id] = normalise(self.index.text(clause))
        return self.spans[clause.id]

    def where(self, quote: str) -> list[Clause]:
        """The deepest clauses whose span holds the quote (body before table of contents)."""
        holding = [c for c in self.index.clauses if quote_found(quote, self.span(c))]
        deepest = [
            c
            for c in holding
            if not any(
                d is not c and d.toc == c.toc and c.start <= d.start and d.end <= c.end
                for d in holding
            )
        ]
        body = [c for c in deepest if not c.toc]
        return body or deepest


def _cited(data: Any) -> Iterator[Any]:
    """Every mapping of the YAML data that carries a clause or a quote."""
    if isinstance(data, dict):
        if isinstance(data.get("clause"), str) or isinstance(data.get("quote"), str):
            yield data
        for value in data.values():
            yield from _cited(value)
    elif isinstance(data, list):
        for value in data:
            yield from _cited(value)


def check_citations(loaded: LoadedPack, seeds: Path) -> list[str]:
    """`file:line: message` for every quote or clause that the seed does not bear out."""
    if not seeds.is_dir():
        return [f"{seeds}: no such seeds folder (give --seeds or KITEI_SEEDS_DIR)"]
    errors: list[str] = []
    cache: dict[str, _Seed | None] = {}
    for mapping in _cited(loaded.data):
        source = mapping.get("source")
        name = source if isinstance(source, str) else loaded.pack.source
        if name not in cache:
            path = seeds / name
            if path.is_file():
                text = path.read_text(encoding="utf-8")
                cache[name] = _Seed(build_index(text, name), normalise(text))
            else:
                cache[name] = None
                line = mapping.key_lines.get("source", 1) if source else _source_line(loaded)
                errors.append(f"{loaded.path}:{line}: seed file '{name}' not found in {seeds}")
        seed = cache[name]
        if seed is not None:
            errors.extend(f"{loaded.path}:{line}: {m}" for line, m in _check(mapping, seed, name))
    return errors


def _source_line(loaded: LoadedPack) -> int:
    lines: dict[str, int] = getattr(loaded.data, "key_lines", {})
    return lines.get("source", 1)


def _check(mapping: Any, seed: _Seed, name: str) -> Iterator[tuple[int, str]]:
    quote = mapping.get("quote")
    clause_id = mapping.get("clause")
    quote_line = mapping.key_lines.get("quote", mapping.line)
    clause_line = mapping.key_lines.get("clause", mapping.line)
    if isinstance(quote, str) and not quote_found(quote, seed.text):
        yield quote_line, f"quote not found in {name}: 「{quote}」{_nearest(quote, seed)}"
        quote = None  # where it lies cannot be said
    if not isinstance(clause_id, str):
        return
    clause = seed.index.get(clause_id)
    holding = seed.where(quote) if isinstance(quote, str) else []
    if clause is None:
        close = difflib.get_close_matches(clause_id, [c.id for c in seed.index.clauses], n=3)
        hint = f"; the quote is in {_ids(holding)}" if holding else ""
        similar = f" (closest: {', '.join(close)})" if close else ""
        yield clause_line, f"clause '{clause_id}' does not exist in {name}{similar}{hint}"
    elif isinstance(quote, str) and not quote_found(quote, seed.span(clause)):
        lines = f"lines {clause.start}-{clause.end}" if clause.end > clause.start else "line"
        if clause.end == clause.start:
            lines = f"line {clause.start}"
        yield (
            clause_line,
            f"the quote is not in clause {clause.id} ({lines} of {name}); it is in {_ids(holding)}",
        )


SUGGEST_MAX = 5
"""At most this many clauses are named where a quote occurs."""


def _ids(clauses: list[Clause]) -> str:
    named = ", ".join(f"{c.id} (line {c.start})" for c in clauses[:SUGGEST_MAX])
    more = f" and {len(clauses) - SUGGEST_MAX} more" if len(clauses) > SUGGEST_MAX else ""
    return named + more if named else "no single clause"


def _nearest(quote: str, seed: _Seed) -> str:
    """'; nearest in the seed (line N, clause C): 「…」' for the part of the quote not found."""
    parts = [p for p in _ELISION.split(normalise(quote)) if p]
    missing = next((p for p in parts if p not in seed.text), None)
    if missing is None:  # every part is there, but not in this order
        return " (its parts are in the seed, but not in this order)"
    best: tuple[float, int, str] = (0.0, 0, "")
    lines = [(i + 1, normalise(t)) for i, t in enumerate(seed.index.lines) if t.strip()]
    for k, (number, text) in enumerate(lines):
        joined = text + (lines[k + 1][1] if k + 1 < len(lines) else "")
        matcher = difflib.SequenceMatcher(None, missing, joined, autojunk=False)
        anchor = matcher.find_longest_match(0, len(missing), 0, len(joined))
        if anchor.size < 2:
            continue
        begin = max(0, anchor.b - anchor.a)
        for size in range(len(missing) - 3, len(missing) + 4):
            window = joined[begin : begin + size]
            ratio = difflib.SequenceMatcher(None, missing, window, autojunk=False).ratio()
            if ratio > best[0]:
                best = (ratio, number, window)
    if best[0] < SUGGEST_RATIO:
        return ""
    clause = seed.index.at_line(best[1])
    where = f"line {best[1]}" + (f", clause {clause.id}" if clause else "")
    return f"; nearest in the seed ({where}): 「{best[2]}」"
