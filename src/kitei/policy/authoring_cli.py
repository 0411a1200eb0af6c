"""`kitei policy clauses|coverage|schema|new|adopt`: the commands that help write a pack.

Registered on `kitei policy` by `kitei.policy.cli`; each handler returns the exit code and
reports bad input on one line (exit 2).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from kitei.policy.adoption import AdoptionError, adopt
from kitei.policy.clauses import ClauseIndex, load_index
from kitei.policy.coverage import coverage, coverage_json, format_coverage
from kitei.policy.loader import LoadedPack, PackError, load_pack, load_pack_source, read_yaml
from kitei.policy.scaffold import write_skeleton
from kitei.policy.schema_doc import schema_json, schema_markdown


class AuthoringError(Exception):
    """Bad input: printed as one line by `kitei policy`, exit code 2."""


def add_commands(cmds: Any) -> None:
    """Add the authoring subcommands to `kitei policy`'s subparsers."""
    clauses = cmds.add_parser("clauses", help="the clause index of a seed document")
    clauses.add_argument("seed", help="a seed file, or its name in KITEI_SEEDS_DIR")
    clauses.add_argument("--json", action="store_true")
    new = cmds.add_parser("new", help="a pack skeleton and cases template from a seed")
    new.add_argument("pack_id")
    new.add_argument("--seed", required=True, help="a seed file, or its name in KITEI_SEEDS_DIR")
    new.add_argument("--out", help="the folder to write (default: ./PACK_ID)")
    adopt = cmds.add_parser("adopt", help="adopt a shipped pack as an organisation's baseline")
    adopt.add_argument("pack", help="the organisation's pack (id or path)")
    adopt.add_argument("--from", dest="model", required=True, help="the model pack (id or path)")
    adopt.add_argument("--map", required=True, help="YAML: roles: {model id: own id}, omit: {…}")
    adopt.add_argument("--decided-by", required=True, help="who decided the adoption")
    adopt.add_argument("--decided-on", required=True, help="when (YYYY-MM-DD)")
    adopt.add_argument("--out", required=True, help="the folder to write pack.yaml into")
    schema = cmds.add_parser("schema", help="every key of pack.yaml and cases.yaml")
    schema.add_argument("--format", choices=("markdown", "json"), default="markdown")
    cover = cmds.add_parser("coverage", help="every clause of a pack's seed and what encodes it")
    cover.add_argument("pack")
    cover.add_argument(
        "--seeds",
        default=os.environ.get("KITEI_SEEDS_DIR"),
        help="the folder of seed documents (default: KITEI_SEEDS_DIR)",
    )
    cover.add_argument("--json", action="store_true")


def resolve_seed(ref: str) -> Path:
    """A seed file by path, or by name in the KITEI_SEEDS_DIR folder."""
    path = Path(ref)
    if path.is_file():
        return path
    folder = os.environ.get("KITEI_SEEDS_DIR")
    if folder and (Path(folder) / ref).is_file():
        return Path(folder) / ref
    where = f" (nor in KITEI_SEEDS_DIR {folder})" if folder else " (KITEI_SEEDS_DIR is not set)"
    raise AuthoringError(f"{ref}: no such seed file{where}")


def clauses_json(index: ClauseIndex) -> list[dict[str, Any]]:
    """The clause index as JSON: id, lines, parent, heading, toc, text."""
    return [
        {
            "id": c.id,
            "lines": [c.start, c.end],
            "parent": c.parent,
            "heading": c.heading,
            "toc": c.toc,
            "text": index.text(c),
        }
        for c in index.clauses
    ]


def _clauses(args: argparse.Namespace, out: TextIO) -> int:
    index = load_index(resolve_seed(args.seed))
    if args.json:
        print(json.dumps(clauses_json(index), ensure_ascii=False, indent=2), file=out)
        return 0
    for c in index.clauses:
        where = f"{c.start}" if c.start == c.end else f"{c.start}-{c.end}"
        toc = " (目次のみ)" if c.toc else ""
        print(f"{c.id}\t{where}\t{c.heading}{toc}", file=out)
    return 0


def _coverage(args: argparse.Namespace, out: TextIO) -> int:
    try:
        loaded = load_pack(args.pack)
    except PackError as exc:
        first = exc.errors[0]
        more = (
            f" (and {len(exc.errors) - 1} more; run 'kitei policy validate')"
            if exc.errors[1:]
            else ""
        )
        raise AuthoringError(first + more) from None
    if not args.seeds:
        raise AuthoringError("no seeds folder: give --seeds DIR or set KITEI_SEEDS_DIR")
    seed = Path(args.seeds) / loaded.pack.source
    if not seed.is_file():
        raise AuthoringError(f"{seed}: the pack's seed file does not exist")
    rows, unknown = coverage(loaded, load_index(seed))
    if args.json:
        data = coverage_json(rows, unknown, loaded.path)
        print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
    else:
        print(format_coverage(rows, unknown, loaded.path), file=out)
    return 0


def _new(args: argparse.Namespace, out: TextIO) -> int:
    if not re.match(r"^[a-z0-9][a-z0-9_.\-]*$", args.pack_id):
        raise AuthoringError(
            f"{args.pack_id}: a pack id is lower-case ASCII, digits, '-', '_' or '.'"
        )
    index = load_index(resolve_seed(args.seed))
    folder = Path(args.out or args.pack_id)
    try:
        found = write_skeleton(args.pack_id, index, folder)
    except FileExistsError as exc:
        raise AuthoringError(f"{exc}; not overwritten") from None
    print(
        f"wrote {folder / 'pack.yaml'} ({found.roles} roles, {found.levels} levels, "
        f"{found.clauses} clauses as comments) and {folder / 'cases.yaml'}",
        file=out,
    )
    return 0


def _load(ref: str) -> LoadedPack:
    try:
        return load_pack(ref)
    except PackError as exc:
        more = f" (and {len(exc.errors) - 1} more)" if exc.errors[1:] else ""
        raise AuthoringError(exc.errors[0] + more) from None


def _adopt(args: argparse.Namespace, out: TextIO) -> int:
    org, model = _load(args.pack), _load(args.model)
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", args.decided_on):
        raise AuthoringError(f"--decided-on {args.decided_on}: write the date as YYYY-MM-DD")
    try:
        mapping = read_yaml(Path(args.map))
    except (OSError, PackError) as exc:
        raise AuthoringError(f"{args.map}: cannot read the role map ({exc})") from None
    roles = mapping.get("roles") if isinstance(mapping, dict) else None
    omit = mapping.get("omit", {}) if isinstance(mapping, dict) else {}
    if not isinstance(roles, dict) or not isinstance(omit, dict):
        raise AuthoringError(f"{args.map}: write roles: {{model role id: own role id}}")
    try:
        text = adopt(
            org,
            model,
            {str(k): v for k, v in roles.items()},
            decided_by=args.decided_by,
            decided_on=args.decided_on,
            omit={str(k): str(v) for k, v in omit.items()},
        )
    except AdoptionError as exc:
        raise AuthoringError(f"{args.map}: {exc}") from None
    folder = Path(args.out)
    target = folder / "pack.yaml"
    if target.exists():
        raise AuthoringError(f"{target} already exists; not overwritten")
    try:
        written = load_pack_source(text.encode("utf-8"), target)
    except PackError as exc:
        raise AuthoringError(f"the adopted pack does not validate: {exc.errors[0]}") from None
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    record = written.pack.adoption
    deviations = len(record.deviations) if record else 0
    adopted_rules = sum(1 for r in written.pack.rules if r.adopted)
    print(f"wrote {target}: {adopted_rules} rules adopted, {deviations} not adopted", file=out)
    return 0


def _schema(args: argparse.Namespace, out: TextIO) -> int:
    if args.format == "json":
        print(json.dumps(schema_json(), ensure_ascii=False, indent=2), file=out)
    else:
        out.write(schema_markdown())
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "clauses": _clauses,
    "coverage": _coverage,
    "schema": _schema,
    "new": _new,
    "adopt": _adopt,
}


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Run one authoring subcommand; bad input is one line on standard error, exit 2."""
    try:
        return HANDLERS[args.policy_command](args, out)
    except AuthoringError as exc:
        print(f"kitei: {exc}", file=sys.stderr)
        return 2
