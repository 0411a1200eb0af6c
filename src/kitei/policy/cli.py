"""`kitei policy …`: list, validate, show, decide, explain, gaps, diff and test packs.

Exit codes: 0 success; 1 a pack that does not validate or a case that fails; 2 bad input
(malformed JSON, unknown action, role, axis or level, missing pack), reported on one line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

from kitei.policy import authoring_cli
from kitei.policy.actions import CANONICAL_ACTIONS
from kitei.policy.adoption import adoption_diff
from kitei.policy.cases import cases_target, check_case
from kitei.policy.citations import check_citations
from kitei.policy.demo import run_demo
from kitei.policy.engine import Engine, RequestError
from kitei.policy.loader import PackError, load_cases, load_pack, shipped_pack_ids
from kitei.policy.report import diff, explain, format_gaps, gaps


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit code 2."""


def add_parser(sub: Any) -> None:
    """Register `policy` and its subcommands on the top-level `kitei` parser."""
    policy = sub.add_parser("policy", help="policy packs and decisions")
    cmds = policy.add_subparsers(dest="policy_command", required=True, metavar="COMMAND")
    cmds.add_parser("list", help="pack ids, names, versions, digests").add_argument(
        "--json", action="store_true"
    )
    validate = cmds.add_parser("validate", help="validate a pack (id or path)")
    validate.add_argument("pack")
    validate.add_argument(
        "--seeds",
        default=os.environ.get("KITEI_SEEDS_DIR"),
        help="also check every quote against the seed documents in this directory",
    )
    show = cmds.add_parser("show", help="the normalised pack")
    show.add_argument("pack")
    show.add_argument("--json", action="store_true", required=True)
    for name, text in (("decide", "decide a JSON request"), ("explain", "explain in Japanese")):
        cmd = cmds.add_parser(name, help=text)
        cmd.add_argument("pack")
        cmd.add_argument("request", nargs="?", default="-", help="FILE or - for standard input")
    gap = cmds.add_parser("gaps", help="silent actions and unspecified values")
    gap.add_argument("pack")
    gap.add_argument("--json", action="store_true")
    dif = cmds.add_parser("diff", help="rule-level differences between two packs")
    dif.add_argument("old", help="a pack; alone: an adopted pack, compared with its model")
    dif.add_argument("new", nargs="?")
    test = cmds.add_parser("test", help="run the cases files")
    test.add_argument("pack", nargs="?")
    walk = cmds.add_parser("demo", help="a guided walk through decisions of every pack")
    walk.add_argument("pack", nargs="?")
    authoring_cli.add_commands(cmds)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run one `kitei policy` subcommand; returns the exit code."""
    out = out or sys.stdout
    handlers = {
        "list": _list,
        "validate": _validate,
        "show": _show,
        "decide": _decide,
        "explain": _decide,
        "gaps": _gaps,
        "diff": _diff,
        "test": _test,
        "demo": _demo,
    }
    if args.policy_command in authoring_cli.HANDLERS:
        return authoring_cli.run(args, out)
    try:
        return handlers[args.policy_command](args, out)
    except UsageError as exc:
        print(f"kitei: {exc}", file=sys.stderr)
        return 2


def _demo(args: argparse.Namespace, out: TextIO) -> int:
    return run_demo(args.pack, out)


def _load(ref: str) -> Engine:
    try:
        return Engine(load_pack(ref))
    except PackError as exc:
        if len(exc.errors) == 1:
            raise UsageError(exc.errors[0]) from None
        raise UsageError(
            f"{ref}: pack does not validate ({len(exc.errors)} errors; "
            f"run 'kitei policy validate {ref}')"
        ) from None


def _list(args: argparse.Namespace, out: TextIO) -> int:
    rows = []
    for pack_id in shipped_pack_ids():
        loaded = load_pack(pack_id)
        rows.append(
            {
                "id": pack_id,
                "name": loaded.pack.name,
                "version": loaded.pack.version,
                "digest": loaded.digest,
            }
        )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2), file=out)
    else:
        for r in rows:
            print(f"{r['id']}\t{r['version']}\t{r['digest']}\t{r['name']}", file=out)
    return 0


def _validate(args: argparse.Namespace, out: TextIO) -> int:
    try:
        loaded = load_pack(args.pack)
    except PackError as exc:
        for line in exc.errors:
            print(line, file=out)
        return 1
    errors = check_citations(loaded, Path(args.seeds)) if args.seeds else []
    for line in errors:
        print(line, file=out)
    if errors:
        return 1
    pack = loaded.pack
    checked = " (quotes and clauses checked)" if args.seeds else ""
    print(
        f"{loaded.path}: ok — {pack.id} {pack.version}, {len(pack.roles)} roles, "
        f"{len(pack.rules)} rules{checked}",
        file=out,
    )
    return 0


def _show(args: argparse.Namespace, out: TextIO) -> int:
    engine = _load(args.pack)
    data = engine.pack.model_dump(mode="json", by_alias=True, exclude_none=True)
    data["digest"] = engine.loaded.digest
    print(json.dumps(data, ensure_ascii=False, indent=2), file=out)
    return 0


def _read_request(ref: str) -> Any:
    try:
        text = sys.stdin.read() if ref == "-" else Path(ref).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{ref}: cannot read request ({exc.strerror})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = "standard input" if ref == "-" else ref
        raise UsageError(f"{where}:{exc.lineno}: malformed JSON: {exc.msg}") from None


def _decide(args: argparse.Namespace, out: TextIO) -> int:
    engine = _load(args.pack)
    request = _read_request(args.request)
    try:
        decision = engine.decide(request)
    except RequestError as exc:
        raise UsageError(str(exc)) from None
    if args.policy_command == "decide":
        print(json.dumps(decision.to_json(), ensure_ascii=False, indent=2), file=out)
    else:
        action = request["action"]
        title = CANONICAL_ACTIONS.get(action) or next(
            (a.title for a in engine.pack.actions if a.id == action), action
        )
        print(explain(decision, title), file=out)
    return 0


def _gaps(args: argparse.Namespace, out: TextIO) -> int:
    engine = _load(args.pack)
    found = gaps(engine.pack)
    if args.json:
        print(json.dumps(found.to_json(), ensure_ascii=False, indent=2), file=out)
    else:
        print(format_gaps(engine.pack, found), file=out)
    return 0


def _diff(args: argparse.Namespace, out: TextIO) -> int:
    if args.new is None:  # an adopted pack against the model it adopted
        adopted = _load(args.old)
        record = adopted.pack.adoption
        if record is None:
            raise UsageError(f"{args.old}: adopts no model pack; give two packs to compare")
        for line in adoption_diff(adopted.loaded, _load(record.pack).loaded):
            print(line, file=out)
        return 0
    old, new = _load(args.old), _load(args.new)
    lines = diff(old.loaded, new.loaded)
    for line in lines:
        print(line, file=out)
    if not lines:
        print("no rule-level differences", file=out)
    return 0


def _test(args: argparse.Namespace, out: TextIO) -> int:
    ids = [args.pack] if args.pack else shipped_pack_ids()
    passed = failed = 0
    for ref in ids:
        try:
            pack_ref, cases_ref = cases_target(ref)  # a pack id, folder or file, or a cases file
            engine = _load(pack_ref)
            path, case_file = load_cases(cases_ref)
        except PackError as exc:
            raise UsageError(exc.errors[0]) from None
        for case in case_file.cases:
            result = check_case(engine, case)
            if result.passed:
                passed += 1
            else:
                failed += 1
                print(f"FAIL {engine.pack.id}: {case.name}: {'; '.join(result.problems)}", file=out)
        print(f"{engine.pack.id}: {len(case_file.cases)} cases ({path})", file=out)
    print(f"{passed} passed, {failed} failed", file=out)
    return 1 if failed else 0
