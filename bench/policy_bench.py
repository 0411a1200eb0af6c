"""Benchmark: kitei's engine against Cedar (cedarpy) on the same 100,000 requests.

Prints one JSON object per line: pack load times, kitei's figures, Cedar's figures, and
last `ratio_p50_kitei_over_cedar`. The Cedar policy set is generated from the pack (one
Cedar policy per pack rule, same conditions), so both engines evaluate the same rules;
the run checks that both select the same rules for every request and exits 1 if not.

kitei is timed per decision (JSON-shaped request in, cited Decision out). Cedar is run on
its fastest path, `is_authorized_batch` with a pre-parsed PolicySet and Entities, request
attributes in the context; its per-request latency is each batch's time divided by the
batch size (the batch API gives no per-request timing).

    python bench/policy_bench.py [--pack mito-city-council] [--requests 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from typing import Any

import cedarpy  # a bench-only dependency (pip install -e '.[bench]')

from kitei.policy import Engine, load_pack
from kitei.policy.actions import CANONICAL_ACTIONS, CONTEXT_FLAGS
from kitei.policy.loader import shipped_pack_ids
from kitei.policy.model import Condition, Pack

KIND_BY_PREFIX = {
    "asset": "asset",
    "device": "device",
    "equipment": "equipment",
    "network": "network",
    "system": "system",
    "cloud": "service",
    "webconf": "meeting",
    "mail": "mailbox",
    "area": "area",
}
FLAG_ODDS = {"emergency": 0.05, "external": 0.3, "minor": 0.2, "encrypted": 0.5, "visitor": 0.1}


def make_requests(pack: Pack, count: int, seed: int = 20261122) -> list[dict[str, Any]]:
    """Realistic requests: mostly regulated actions, every axis classified, some flags set."""
    rng = random.Random(seed)
    regulated = sorted({r.action for r in pack.rules})
    silent = sorted(set(CANONICAL_ACTIONS) - set(regulated))
    users = [r.title for r in pack.roles if r.kind == "user_category"] or [pack.roles[0].title]
    others = [r.title for r in pack.roles if r.kind == "role"]
    zones = [z.id for z in pack.network.zones]
    requests = []
    for _ in range(count):
        action = rng.choice(silent) if silent and rng.random() < 0.1 else rng.choice(regulated)
        roles = [rng.choice(users)]
        if others and rng.random() < 0.3:
            roles.append(rng.choice(others))
        resource: dict[str, Any] = {
            "kind": KIND_BY_PREFIX.get(action.split(".")[0], "asset"),
            "classification": {
                a.title: rng.choice(a.levels).title for a in pack.classification.axes
            },
        }
        if zones:
            resource["zone"] = rng.choice(zones)
        context = {f: rng.random() < FLAG_ODDS[f] for f in sorted(CONTEXT_FLAGS)}
        requests.append(
            {"action": action, "actor": {"roles": roles}, "resource": resource, "context": context}
        )
    return requests


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_loading(repeats: int = 20) -> dict[str, Any]:
    """Median time to load, validate and compile each shipped pack."""
    result = {}
    for pack_id in shipped_pack_ids():
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            Engine(load_pack(pack_id))
            times.append((time.perf_counter() - t0) * 1000)
        result[pack_id] = round(statistics.median(times), 2)
    return {"bench": "pack_load_ms_median", **result, "max_ms": max(result.values())}


def bench_kitei(engine: Engine, requests: list[dict[str, Any]]) -> tuple[dict[str, Any], list[Any]]:
    decide = engine.decide
    decisions = [decide(r) for r in requests[:1000]]  # warm-up
    t0 = time.perf_counter()
    decisions = [decide(r) for r in requests]
    wall = time.perf_counter() - t0
    clock = time.perf_counter_ns
    latencies = []
    for r in requests:
        start = clock()
        decide(r)
        latencies.append((clock() - start) / 1000)
    return {
        "bench": "kitei",
        "requests": len(requests),
        "decisions_per_second": round(len(requests) / wall),
        "p50_us": round(percentile(latencies, 0.50), 2),
        "p99_us": round(percentile(latencies, 0.99), 2),
        "citations_per_decision": round(sum(len(d.reasons) for d in decisions) / len(decisions), 2),
    }, decisions


# --- the same pack as Cedar policies ---------------------------------------------------
def _cedar_condition(cond: Condition, levels: dict[str, dict[str, int]]) -> str:
    parts = []
    for key, joiner in (("all", " && "), ("any", " || ")):
        subs = getattr(cond, key)
        if subs is not None:
            parts.append("(" + joiner.join(_cedar_condition(c, levels) for c in subs) + ")")
    if cond.not_ is not None:
        parts.append(f"!({_cedar_condition(cond.not_, levels)})")
    if cond.classification is not None:
        t = cond.classification
        var = f"context.lv_{t.axis}"
        table = levels[t.axis]
        low = table[t.min] if t.min is not None else 0
        test = f"({var} >= {low}"
        if t.max is not None:
            test += f" && {var} <= {table[t.max]}"
        if t.in_ is not None:
            test += f" && [{', '.join(str(table[v]) for v in t.in_)}].contains({var})"
        parts.append(test + ")")
    for key, value in (cond.context or {}).items():
        parts.append(f"context.{key} == {json.dumps(value)}")
    if cond.actor_role is not None:
        parts.append(f"context.roles.containsAny({json.dumps(list(cond.actor_role))})")
    if cond.resource_kind is not None:
        parts.append(f"{json.dumps(list(cond.resource_kind))}.contains(context.kind)")
    for key, value in (cond.resource or {}).items():
        parts.append(f"context.res_{key} == {json.dumps(value)}")
    return " && ".join(parts) or "true"


def cedar_policies(pack: Pack) -> tuple[str, list[str]]:
    """Cedar source with one policy per rule (in order), and the rule id of each policy."""
    levels = {a.id: {lv.id: i for i, lv in enumerate(a.levels)} for a in pack.classification.axes}
    sources, ids = [], []
    for rule in pack.rules:
        verb = "forbid" if rule.effect == "forbid" else "permit"
        when = "" if rule.when is None else f" when {{ {_cedar_condition(rule.when, levels)} }}"
        sources.append(f'{verb}(principal, action == Action::"{rule.action}", resource){when};')
        ids.append(rule.id)
    return "\n".join(sources), ids


ABSENT = "\u0000absent"  # Cedar errors on a missing attribute; kitei reads it as unequal


def _resource_keys(cond: Condition | None) -> set[str]:
    if cond is None:
        return set()
    keys = set(cond.resource or {})
    for sub in (*(cond.all or ()), *(cond.any or ()), cond.not_):
        keys |= _resource_keys(sub)
    return keys


def cedar_request(engine: Engine, data: dict[str, Any]) -> dict[str, Any]:
    """The request as Cedar sees it: names resolved, every attribute in the context."""
    req = engine.parse(data)
    context: dict[str, Any] = {"roles": sorted(req.roles), "kind": req.resource_kind or ""}
    for rule in engine.pack.rules:
        for key in _resource_keys(rule.when):
            context[f"res_{key}"] = ABSENT
    for axis in engine.pack.classification.axes:
        context[f"lv_{axis.id}"] = req.levels.get(axis.id, -1)
    for flag in sorted(CONTEXT_FLAGS):
        context[flag] = bool(req.context.get(flag, False))
    for key, value in req.resource.items():
        if isinstance(value, str | bool | int):
            context[f"res_{key}"] = value
    return {
        "principal": 'User::"applicant"',
        "action": f'Action::"{req.action}"',
        "resource": 'Resource::"resource"',
        "context": context,
    }


def bench_cedar(
    engine: Engine, requests: list[dict[str, Any]], decisions: list[Any], batch: int
) -> dict[str, Any]:
    source, ids = cedar_policies(engine.pack)
    policies = cedarpy.PolicySet.from_str(source)
    entities = cedarpy.Entities.from_json_str("[]")
    cedar_requests = [cedar_request(engine, r) for r in requests]
    cedarpy.is_authorized_batch(cedar_requests[:batch], policies, entities)  # warm-up
    per_request, results = [], []
    t_all = time.perf_counter()
    for start in range(0, len(cedar_requests), batch):
        chunk = cedar_requests[start : start + batch]
        t0 = time.perf_counter()
        results.extend(cedarpy.is_authorized_batch(chunk, policies, entities))
        per_request.append((time.perf_counter() - t0) * 1e6 / len(chunk))
    wall = time.perf_counter() - t_all
    agree = sum(_same_rules(d, r, ids) for d, r in zip(decisions, results, strict=True))
    return {
        "bench": "cedar",
        "engine": f"cedarpy {getattr(cedarpy, '__version__', '')}".strip(),
        "path": f"is_authorized_batch, batch {batch}, pre-parsed PolicySet and Entities",
        "policies": len(ids),
        "requests": len(requests),
        "decisions_per_second": round(len(requests) / wall),
        "p50_us": round(percentile(per_request, 0.50), 2),
        "p99_us": round(percentile(per_request, 0.99), 2),
        "latency_basis": "batch time / batch size",
        "same_rules_as_kitei": f"{agree}/{len(requests)}",
    }


def _same_rules(decision: Any, result: Any, ids: list[str]) -> bool:
    """Cedar's determining policies are the rules kitei matched (forbids only, when denied)."""
    cedar = {ids[int(p.removeprefix("policy"))] for p in result.diagnostics.reasons}
    if decision.effect == "forbid":
        kitei = {r.rule for r in decision.reasons if r.effect == "forbid"}
        return not result.allowed and cedar == kitei
    kitei = {
        r.rule for r in decision.reasons if r.rule not in {"undetermined", "missing-classification"}
    }
    return result.allowed == bool(kitei) and cedar == kitei


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", default="mito-city-council")
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    print(json.dumps(bench_loading()), flush=True)
    engine = Engine(load_pack(args.pack))
    requests = make_requests(engine.pack, args.requests)
    kitei, decisions = bench_kitei(engine, requests)
    kitei["pack"] = args.pack
    print(json.dumps(kitei), flush=True)
    cedar = bench_cedar(engine, requests, decisions, args.batch)
    print(json.dumps(cedar, ensure_ascii=False), flush=True)
    ratio = kitei["p50_us"] / cedar["p50_us"]
    print(
        json.dumps(
            {"ratio_p50_kitei_over_cedar": round(ratio, 3), "goal": "<= 0.5", "met": ratio <= 0.5}
        )
    )
    agree, total = cedar["same_rules_as_kitei"].split("/")
    return 0 if agree == total else 1


if __name__ == "__main__":
    sys.exit(main())
