"""`kitei policy new ID --seed FILE`: a pack skeleton and a cases template from a seed.

The skeleton holds only what the seed prints and a machine can find without reading it for
meaning: the organisation (the name in 「（以下「…」という。）」 or the title line), the roles
appointed in the form 「XをYとする」 (holder X, title Y, the clause and the sentence quoted), the
levels of a classification table printed with tab-separated columns, and the undetermined
citation (the first clause with text, to be replaced by the one the organisation's seed gives
for matters it leaves open). Ids that must be English are `TODO-…` placeholders for the author
to name; the skeleton loads and its quotes are verbatim, so `validate --seeds` and `coverage`
work from the start. The clause index follows as comments, so the author sees every clause to
encode. Nothing is invented: no rule, no approver, no period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kitei.policy.clauses import ClauseIndex
from kitei.policy.model_controls import QUOTE_MAX

_ORG = re.compile(r"([^\s、。「」（）()]+)（以下「[^」]+」という。?）")
_APPOINT = re.compile(
    r"^(?:[-・\s]*)(?:[アイウエオカキクケコ][\s\u3000]+)?"
    r"(?P<holder>[^、。]{1,30}?)\s*を、?\s*(?P<title>[^、。を]{1,30}?)\s*とする。"
)
_ROLE_END = re.compile(r"(者|CISO|CIO|補佐|責任者)$")
_TABLE_HEAD = re.compile(r"^分類\t")


@dataclass(frozen=True)
class Found:
    """What the scaffold found in the seed, for the summary line."""

    roles: int
    levels: int
    clauses: int


def _quote(text: str) -> str:
    """A verbatim piece of the seed, cut to the quote limit."""
    return text.strip()[:QUOTE_MAX].rstrip()


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def organisation(index: ClauseIndex) -> str:
    """The organisation's name as the seed prints it, or a placeholder."""
    text = "\n".join(index.lines)
    for match in _ORG.finditer(text):
        name = match.group(1).split("情報セキュリティ")[0]
        if name and not name.startswith(("この", "本")):
            return name
    for line in index.lines:
        if "情報セキュリティ" in line:
            name = line.strip().split("情報セキュリティ")[0].split()[-1:] or [""]
            if name[0] and not re.match(r"^(第|序|\d)", name[0]):
                return name[0]
    return "TODO 組織名"


def _roles(index: ClauseIndex) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(index.lines, 1):
        match = _APPOINT.match(line.strip())
        if not match or not _ROLE_END.search(match["title"]) or match["title"] in seen:
            continue
        seen.add(match["title"])
        clause = index.at_line(number)
        quote = _quote(line[line.index(match["holder"]) : line.index("とする。") + 3])
        out += [
            f"  - id: TODO-role-{len(seen)}  # an English id (ISO/IEC 27000 term), no romaji",
            f"    title: {_yaml_str(match['title'].strip())}",
            f"    holder: {_yaml_str(match['holder'].strip())}",
            f"    clause: {_yaml_str(clause.id if clause else 'TODO')}",
            f"    quote: {_yaml_str(quote)}",
        ]
    return out


def _levels(index: ClauseIndex) -> list[str]:
    """Axes from tables printed as `分類<TAB>分類基準<TAB>…` rows (highest first in the seed)."""
    out: list[str] = []
    lines = index.lines
    axes = 0
    for number, line in enumerate(lines, 1):
        if not _TABLE_HEAD.match(line):
            continue
        rows = []
        for row_number in range(number + 1, len(lines) + 1):
            cells = lines[row_number - 1].split("\t")
            if len(cells) < 2:
                break
            rows.append((row_number, cells))
        if not rows:
            continue
        first = rows[0][1][0]
        axis = re.sub(r"[\s\dA-Z]+$", "", first) or "TODO"
        clause = index.at_line(number)
        cited = clause.id if clause else "TODO"
        axes += 1
        out += [
            f"    - id: TODO-axis-{axes}  # an English id: confidentiality, integrity …",
            f"      title: {_yaml_str(axis)}",
            f"      clause: {_yaml_str(cited)}",
            f"      quote: {_yaml_str(_quote(first))}",
            "      levels:  # lowest first: the order defines 以上",
        ]
        for row_number, cells in reversed(rows):
            label = cells[0].strip()
            level = re.sub(r"\s+", "", label[len(axis) :]) or label
            row_clause = index.at_line(row_number)
            out += [
                f"        - id: {_yaml_str(level)}",
                f"          title: {_yaml_str(label)}",
                f"          criteria: {_yaml_str(cells[1].strip())}",
                f"          clause: {_yaml_str(row_clause.id if row_clause else cited)}",
                f"          quote: {_yaml_str(_quote(label))}",
            ]
    return out


def pack_skeleton(pack_id: str, index: ClauseIndex) -> tuple[str, Found]:
    """The text of pack.yaml: what the seed prints, TODO placeholders, the clause index."""
    first = next((c for c in index.clauses if not c.toc and index.text(c).strip()), None)
    undetermined_clause = first.id if first else "TODO"
    body = [t for t in (index.text(first).splitlines() if first else []) if t.strip()]
    undetermined_quote = _quote(body[1] if len(body) > 1 else (body[0] if body else "TODO"))
    roles = _roles(index)
    levels = _levels(index)
    lines = [
        f"# {pack_id}: a pack skeleton written by `kitei policy new` from {index.source}.",
        "# Replace every TODO; encode only what the seed says (docs/policy-packs.md), check with",
        f"#   kitei policy validate {pack_id} --seeds DIR   and   kitei policy coverage …",
        f"id: {pack_id}",
        f"name: {_yaml_str(organisation(index) + '情報セキュリティポリシー')}",
        f"organization: {_yaml_str(organisation(index))}",
        'version: "0.1.0"',
        f"source: {index.source}",
        "kind: unspecified",
        "undetermined:  # TODO: the clause cited when the pack says nothing about a request",
        f"  clause: {_yaml_str(undetermined_clause)}",
        f"  quote: {_yaml_str(undetermined_quote)}",
        "undetermined_message: この操作について規程に定めがありません。",
    ]
    if roles:
        lines += ["roles:", *roles]
    if levels:
        lines += ["classification:", "  axes:", *levels]
    lines += ["", f"# Clauses of {index.source} (kitei policy clauses):"]
    for c in index.clauses:
        where = f"{c.start}" if c.start == c.end else f"{c.start}-{c.end}"
        lines.append(f"#   {c.id}  {where}  {c.heading[:50]}")
    found = Found(
        roles=sum(1 for r in roles if r.startswith("  - id:")),
        levels=sum(1 for r in levels if r.startswith("        - id:")),
        clauses=len(index.clauses),
    )
    return "\n".join(lines) + "\n", found


def cases_template(pack_id: str) -> str:
    """The text of cases.yaml: one case that a pack without rules answers, and the form."""
    return (
        f"# Expected decisions of {pack_id}, run by `kitei policy test`. Write cases that could\n"
        "# fail: both sides of every min, every context flag a rule tests, every approval route.\n"
        f"pack: {pack_id}\n"
        "cases:\n"
        "  - name: 定めのない操作は undetermined\n"
        "    request:\n"
        "      action: policy.update\n"
        "      actor: {roles: []}\n"
        "    expect:\n"
        "      effect: undetermined\n"
    )


def write_skeleton(pack_id: str, index: ClauseIndex, folder: Path) -> Found:
    """Write pack.yaml and cases.yaml into `folder` (which must not hold them already)."""
    for name in ("pack.yaml", "cases.yaml"):
        if (folder / name).exists():
            raise FileExistsError(f"{folder / name} already exists")
    folder.mkdir(parents=True, exist_ok=True)
    text, found = pack_skeleton(pack_id, index)
    (folder / "pack.yaml").write_text(text, encoding="utf-8")
    (folder / "cases.yaml").write_text(cases_template(pack_id), encoding="utf-8")
    return found
