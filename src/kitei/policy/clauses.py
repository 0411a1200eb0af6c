"""A clause index of a policy text: clause id → line range → text, from the seed's own numbering.

The seeds number their clauses in several styles, and the index gives each clause the id the
packs cite (docs/policy-packs.md, "Clause ids"):

- `第N章` chapters; front matter `序`, `制定`, `改正`, `施行`, `付則` (one clause each);
- top numbers `1 目的` → `1`, sections `6-3` or `1.2` / `2.8.3` (cited as printed);
- `(1)` / `（1）` → `(1)`, `ア` → `ア`, `(ア)` → `(ア)`, `①` → `①`, each appended to its parent:
  `6-3(1)ア`, `3(2)ア(ア)`, `1.6(3)①`;
- articles: `第2条` with its `2 …` paragraphs (`第4条第2項`) and `(10)` items (`第2条第10号`);
- where a chapter restarts the numbering (003: 第1章 1–12, 第2章 1–9), the clauses of every
  chapter but the 対策基準 one (or, without one, the last) are prefixed: `第1章 11`;
- a number printed twice (002: two sections `7-6`) is cited `7-6a`, `7-6b` in print order;
- headings that only the table of contents (目次) prints (000: 第2章, 2.1–2.9.3) span their
  line of the table of contents.

A clause's span runs from its marker to the line before the next marker at the same or a
higher level, so a parent's span contains its children. A list marker must start its list
(`(1)`, `ア` …) or follow its previous sibling, so prose that happens to begin with `イ ` is not
taken for a clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

_IROHA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"
_CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①–⑳
_DIGITS = str.maketrans(
    {
        **{ord(c): d for c, d in zip("０１２３４５６７８９（）", "0123456789()", strict=True)},
        **{0x2474 + i: f"({i + 1})" for i in range(20)},  # ⑴–⒇ are (1)–(20)
    }
)
_LEAD = re.compile(r"^\s*(?:-\s+)?")
_CAPTION = re.compile(r"^[(（][^()（）\d]+[)）]$")
_TOC = re.compile(r"^目\s*次$")
_PAGE = re.compile(r"\s+\d+$")

# (kind, pattern, depth); the first pattern that matches a line's start wins.
_MARKERS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("stamp", re.compile(r"^(制定|改正|施行)(?=[\s：:])"), 0),
    ("front", re.compile(r"^(序|付\s*則)(?=\s|$)"), 0),
    ("chapter", re.compile(r"^第(\d+)章(?=\s|$)"), 0),
    ("article", re.compile(r"^第(\d+)条(?=\s|$)"), 1),
    ("dash", re.compile(r"^(\d+-\d+)(?=\s|$)"), 2),
    ("dotted", re.compile(r"^(\d+(?:\.\d+)+)(?=\s|$)"), 2),
    ("number", re.compile(r"^(\d+)\s+(?=\S)"), 1),
    ("paren", re.compile(r"^\((\d+)\)"), 4),
    ("kana_paren", re.compile(rf"^\(([{_IROHA}])\)"), 6),
    ("kana", re.compile(rf"^([{_IROHA}])[\s\u3000]+(?=\S)"), 5),
    ("circled", re.compile(rf"^([{_CIRCLED}])"), 7),
)
_SEQUENCED = {"number", "paren", "kana_paren", "kana", "circled"}


@dataclass(frozen=True, kw_only=True)
class Clause:
    """One numbered clause: its id as the packs cite it, its lines (1-based, inclusive)."""

    id: str
    start: int
    end: int
    heading: str
    parent: str | None
    toc: bool = False  # only the table of contents prints it


@dataclass(eq=False)
class _Node:
    kind: str
    label: str
    depth: int
    start: int
    heading: str
    chapter: str | None
    parent: _Node | None
    end: int = 0
    suffix: str = ""
    children: list[_Node] = field(default_factory=list)


@dataclass(frozen=True)
class ClauseIndex:
    """Every clause of one seed, in print order, with the seed's lines."""

    source: str
    lines: tuple[str, ...]
    clauses: tuple[Clause, ...]

    def get(self, clause_id: str) -> Clause | None:
        """The clause with this id (extra spaces ignored), or None."""
        wanted = _squash(clause_id)
        return next((c for c in self.clauses if _squash(c.id) == wanted), None)

    def text(self, clause: Clause) -> str:
        """The lines of a clause's span, joined."""
        return "\n".join(self.lines[clause.start - 1 : clause.end])

    def at_line(self, line: int) -> Clause | None:
        """The deepest clause whose span holds the line (body before table of contents)."""
        best: Clause | None = None
        for clause in self.clauses:
            if clause.start <= line <= clause.end and (
                best is None or clause.end - clause.start <= best.end - best.start
            ):
                best = clause
        return best


def _squash(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text)


def _sequence_value(kind: str, label: str) -> int:
    if kind in ("kana", "kana_paren"):
        return _IROHA.index(label) + 1
    if kind == "circled":
        return _CIRCLED.index(label) + 1
    return int(label)


def _match(text: str, articles: bool) -> tuple[str, str, int] | None:
    for kind, pattern, depth in _MARKERS:
        found = pattern.match(text)
        if found:
            label = re.sub(r"\s+", "", found.group(1))
            if kind == "number" and articles:
                return "clause_paragraph", label, 2
            return kind, label, depth + max(0, label.count(".") - 1)
    return None


def _parse(lines: list[str], numbers: list[int], articles: bool) -> list[_Node]:
    """The tree of markers over the given lines (line numbers of the seed alongside)."""
    roots: list[_Node] = []
    stack: list[_Node] = []
    chapter: str | None = None
    previous = ("", 0)
    for raw, number in zip(lines, numbers, strict=True):
        text = _LEAD.sub("", raw.translate(_DIGITS)).rstrip()
        found = _match(text, articles) if text else None
        if found and not _accepted(found, stack):
            found = None
        if found is None:
            if text:
                previous = (text, number)
            continue
        kind, label, depth = found
        while stack and stack[-1].depth >= depth and kind != "stamp":
            stack.pop()
        if kind == "chapter":
            chapter = f"第{label}章"
        start = number
        if kind == "article" and _CAPTION.match(previous[0]):
            start = previous[1]  # the caption (目的) printed above the article
        node = _Node(
            kind=kind,
            label=label,
            depth=depth,
            start=start,
            heading=_LEAD.sub("", raw).rstrip(),
            chapter=chapter,
            parent=stack[-1] if stack else None,
        )
        if kind == "stamp":  # 制定/改正/施行 …: one line, containing nothing
            node.parent, node.end = None, number
            roots.append(node)
            continue
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
        previous = (text, number)
    return roots


def _accepted(found: tuple[str, str, int], stack: list[_Node]) -> bool:
    """A list marker starts its list or follows its previous sibling (no step back)."""
    kind, label, depth = found
    if kind not in _SEQUENCED and kind != "clause_paragraph":
        return True
    value = _sequence_value(kind, label)
    sibling = next((n for n in stack if n.depth == depth), None)
    if sibling is not None and sibling.kind == kind:
        return value > _sequence_value(kind, sibling.label)
    return value == (2 if kind == "clause_paragraph" else 1)


def _close(nodes: list[_Node], end: int, lines: dict[int, str]) -> None:
    """Set each node's last line: before its next sibling, else its parent's end."""
    nodes = [n for n in nodes if n.kind != "stamp"]
    for i, node in enumerate(nodes):
        last = nodes[i + 1].start - 1 if i + 1 < len(nodes) else end
        while last > node.start and not lines.get(last, "").strip():
            last -= 1
        node.end = last
        _close(node.children, last, lines)


def _walk(nodes: list[_Node]) -> Iterator[_Node]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


_OWN = {
    "chapter": "第{}章",
    "article": "第{}条",
    "clause_paragraph": "第{}項",
    "kana_paren": "({})",
}


def _own(node: _Node, articles: bool) -> str:
    """The clause's own part of its id (`(1)` is `第1号` under an article)."""
    if node.kind == "paren":
        return f"第{node.label}号" if articles else f"({node.label})"
    return _OWN.get(node.kind, "{}").format(node.label)


def _ids(roots: list[_Node], articles: bool, prefixed: set[str]) -> dict[_Node, str]:
    ids: dict[_Node, str] = {}

    def visit(node: _Node, parent_id: str | None) -> None:
        own = _own(node, articles) + node.suffix
        if node.kind in ("dash", "dotted", "number", "article", "chapter", "front", "stamp"):
            clause_id = own
            if node.kind in ("dash", "dotted", "number") and node.chapter in prefixed:
                clause_id = f"{node.chapter} {own}"
        else:
            clause_id = (parent_id or "") + own
        ids[node] = clause_id
        for child in node.children:
            visit(child, clause_id)

    for root in roots:
        visit(root, None)
    return ids


def _restarted_chapters(roots: list[_Node]) -> set[str]:
    """Chapters whose ids need a prefix: all but the 対策基準 (or last) when numbers restart."""
    chapters = [n for n in roots if n.kind == "chapter"]
    seen: dict[str, str] = {}
    restart = False
    for chapter in chapters:
        for node in _walk(chapter.children):
            if node.kind in ("number", "dash", "dotted"):
                if seen.get(node.label, chapter.label) != chapter.label:
                    restart = True
                seen.setdefault(node.label, chapter.label)
    if not restart:
        return set()
    bare = next((c for c in chapters if "対策基準" in c.heading), chapters[-1])
    return {f"第{c.label}章" for c in chapters if c is not bare}


def _index_nodes(lines: list[str], numbers: list[int], articles: bool) -> dict[_Node, str]:
    roots = _parse(lines, numbers, articles)
    _close(roots, numbers[-1] if numbers else 0, dict(zip(numbers, lines, strict=True)))
    prefixed = _restarted_chapters(roots)
    ids = _ids(roots, articles, prefixed)
    # A number printed twice (002: 7-6): its occurrences are cited a, b … in print order.
    for _ in range(len(ids)):
        seen: dict[str, list[_Node]] = {}
        for node, clause_id in ids.items():
            seen.setdefault(clause_id, []).append(node)
        same = next((nodes for nodes in seen.values() if len(nodes) > 1), None)
        if same is None:
            break
        for i, node in enumerate(same):
            node.suffix = "abcdefghijklmnopqrstuvwxyz"[i % 26]
        ids = _ids(roots, articles, prefixed)
    return ids


def build_index(text: str, source: str = "") -> ClauseIndex:
    """Parse a seed's numbering into its clause index."""
    lines = text.splitlines()
    articles = any(re.match(r"^第\d+条\s", line.strip()) for line in lines)
    toc_lines, body = _split_toc(lines)
    body_ids = _index_nodes([lines[i - 1] for i in body], body, articles)
    clauses = [_clause(node, cid, body_ids) for node, cid in body_ids.items()]
    known = {c.id for c in clauses}
    if toc_lines:
        stripped = [_PAGE.sub("", lines[i - 1]) for i in toc_lines]
        toc_ids = _index_nodes(stripped, toc_lines, articles)
        for node, cid in toc_ids.items():
            if cid not in known:
                clauses.append(_clause(node, cid, toc_ids, toc=True))
    clauses.sort(key=lambda c: (c.toc, c.start, -c.end))
    return ClauseIndex(source=source, lines=tuple(lines), clauses=tuple(clauses))


def _clause(node: _Node, cid: str, ids: dict[_Node, str], *, toc: bool = False) -> Clause:
    parent = ids.get(node.parent) if node.parent is not None else None
    return Clause(
        id=cid, start=node.start, end=node.end, heading=node.heading, parent=parent, toc=toc
    )


def _split_toc(lines: list[str]) -> tuple[list[int], list[int]]:
    """Line numbers of the table of contents (目次 … page numbers) and of the body."""
    toc: list[int] = []
    for i, line in enumerate(lines):
        if _TOC.match(line.strip()):
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or _PAGE.search(lines[j].rstrip())):
                if lines[j].strip():
                    toc.append(j + 1)
                j += 1
            break
    skip = set(toc)
    return toc, [n for n in range(1, len(lines) + 1) if n not in skip]


def load_index(path: Path) -> ClauseIndex:
    """The clause index of a seed file."""
    return build_index(path.read_text(encoding="utf-8"), path.name)
