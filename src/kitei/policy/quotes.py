"""Checks that every quote in a pack appears verbatim in its seed document.

Whitespace (line and page breaks, the seeds' spacing inside "機密性 3 B") is ignored on
both sides, and `…` in a quote marks an elision: its parts must appear in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kitei.policy.loader import LoadedPack

_SPACE = re.compile(r"\s+")
_ELISION = re.compile(r"…+|\.\.\.")


def normalise(text: str) -> str:
    """The text with every kind of whitespace (incl. U+3000) removed."""
    return _SPACE.sub("", text.replace("\u3000", ""))


def quote_found(quote: str, seed: str) -> bool:
    """Whether the quote's parts appear, in order, in the normalised seed text."""
    position = 0
    for part in _ELISION.split(normalise(quote)):
        if not part:
            continue
        found = seed.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


def _quoted(data: Any, loc: tuple[str | int, ...] = ()) -> Iterator[tuple[Any, str, str | None]]:
    """(mapping, quote, source) for every mapping in the YAML data that carries a quote."""
    if isinstance(data, dict):
        quote = data.get("quote")
        if isinstance(quote, str):
            source = data.get("source")
            yield data, quote, source if isinstance(source, str) else None
        for key, value in data.items():
            yield from _quoted(value, (*loc, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _quoted(value, (*loc, i))


def check_quotes(loaded: LoadedPack, seeds: Path) -> list[str]:
    """`file:line: message` for every quote not found in its seed under `seeds`."""
    errors: list[str] = []
    cache: dict[str, str | None] = {}
    for mapping, quote, source in _quoted(loaded.data):
        name = source or loaded.pack.source
        if name not in cache:
            path = seeds / name
            cache[name] = normalise(path.read_text(encoding="utf-8")) if path.is_file() else None
        line = mapping.key_lines.get("quote", mapping.line)
        seed = cache[name]
        if seed is None:
            errors.append(f"{loaded.path}:{line}: seed file '{name}' not found in {seeds}")
        elif not quote_found(quote, seed):
            errors.append(f"{loaded.path}:{line}: quote not found in {name}: 「{quote}」")
    return errors
