"""`kitei incidents kinds|chain`: what a person can file, and the steps filing would open.

Both read only. `chain` resolves each step's roles to the usernames of the people who hold
them today (deputies within validity included) and names outside parties by title; a pack
without chains prints `manual: true` and no steps. Unknown organisation, kind or flag: one
line on stderr, exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

COMMANDS = ("incidents",)


def add_parser(sub: Any) -> None:
    """Register `kitei incidents`."""
    incidents = sub.add_parser("incidents", help="incidents (事故・障害): kinds and chains")
    cmds = incidents.add_subparsers(dest="incidents_command", required=True, metavar="COMMAND")
    kinds = cmds.add_parser("kinds", help="the kinds a person can file (from the pack)")
    kinds.add_argument("org", help="organisation identifier, as `kitei org list` prints it")
    kinds.add_argument("--json", action="store_true", help="print JSON")
    chain = cmds.add_parser("chain", help="the steps filing such an incident now would open")
    chain.add_argument("org", help="organisation identifier, as `kitei org list` prints it")
    chain.add_argument("--kind", required=True, help="kind id or Japanese title")
    chain.add_argument(
        "--flag", action="append", default=[], help="a condition (personal_data, serious …)"
    )
    chain.add_argument("--json", action="store_true", help="print JSON")
    verify = cmds.add_parser(
        "verify", help="compare every timeline entry with its record in the audit chain"
    )
    verify.add_argument("org", help="organisation identifier, as `kitei org list` prints it")


def _fail(message: str) -> int:
    print(f"kitei: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Run one `kitei incidents` subcommand; returns the exit code."""
    from kitei.core.models import Organization  # noqa: PLC0415 - Django is set up by now
    from kitei.incidents import chain  # noqa: PLC0415
    from kitei.incidents.services import pack_of  # noqa: PLC0415

    org = Organization.objects.filter(slug=args.org).first()
    if org is None:
        return _fail(f"no organisation '{args.org}'")
    pack = pack_of(org)
    if args.incidents_command == "kinds":
        return _kinds(pack, as_json=args.json)
    if args.incidents_command == "verify":
        from kitei.incidents.timeline import mismatches  # noqa: PLC0415

        problems = mismatches(org)
        for line in problems:
            print(f"kitei: {line}", file=sys.stderr)
        print(f"kitei: {len(problems)} timeline entr{'y' if len(problems) == 1 else 'ies'} differ")
        return 1 if problems else 0
    known = chain.known_flags(pack)
    for flag in args.flag:
        if flag not in known:
            return _fail(f"unknown flag '{flag}' (known: {', '.join(known)})")
    result = chain_json(org, pack, args.kind, args.flag)
    if result is None:
        return _fail(f"no incident kind '{args.kind}' in pack {pack.id}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for step in result["steps"]:
            to = "、".join(t.get("party") or t["role"]["title"] for t in step["to"])
            print(f"{step['order']}\t{step['clause']}\t{step['timing']}\t→ {to}")
        if result["manual"]:
            print("manual: the pack holds no reporting chain for incidents")
    return 0


def _kinds(pack: Any, *, as_json: bool) -> int:
    kinds = [{"id": k.id, "title": k.title} for k in pack.incident_kinds]
    if as_json:
        print(json.dumps(kinds, ensure_ascii=False, indent=2))
        return 0
    for k in kinds:
        print(f"{k['id']}\t{k['title']}")
    if not kinds:
        print("(manual: the pack holds no reporting chain for incidents)")
    return 0


def chain_json(org: Any, pack: Any, kind_ref: str, flags: list[str]) -> dict[str, Any] | None:
    """The CLI contract's JSON, or None for an unknown kind (a manual pack takes any kind)."""
    from kitei.incidents import chain  # noqa: PLC0415

    ref = {"id": pack.id, "version": pack.version, "digest": org.pack_digest}
    if not pack.incident_kinds:
        return {"steps": [], "manual": True, "pack": ref}
    kind = chain.find_kind(pack, kind_ref)
    if kind is None:
        return None
    steps = []
    for planned in chain.plan(pack, kind, flags):
        step = planned.step
        to: list[dict[str, Any]] = []
        for who in step.to:
            for r in chain.resolve(org, pack, who):
                if r.party is not None:
                    to.append({"party": r.party.title})
                else:
                    assert r.role is not None
                    people = [p.user.username if p.user else p.name for p in r.people]
                    to.append({"role": {"id": r.role.id, "title": r.role.title}, "people": people})
        steps.append(
            {
                "order": planned.order,
                "clause": step.clause,
                "quote": step.quote,
                "timing": step.timing,
                "from": [
                    {"id": r, "title": chain.role_or_party_title(pack, r)} for r in step.from_
                ],
                "to": to,
                "decision_required": planned.decision_required,
            }
        )
    return {"steps": steps, "manual": False, "pack": ref}
