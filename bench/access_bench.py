"""Benchmark: what one `access.check` costs, as a service calls it inside a web request.

Builds, in a temporary SQLite database, 水戸市議会 on the mito-city-council pack with a
department, an asset in it, a 情報セキュリティ管理者 of that 課 (a pack grant scoped to the 課),
an organisation administrator and a plain member. Each actor's active membership is bound
and the request cache started, as `SecurityGateMiddleware` does, so the membership and the
assignments are read once per request; then each kind of check is timed `--calls` times:

- `member`: a permission every member has (kitei's rule, `assets.view`);
- `admin`: an organisation administrator's permission (`people.manage`);
- `grant`: a pack grant reaching the asset through the holder's 課 (`assets.manage`);
- `refusal`: a member without the grant (`assets.manage`), refused with the reasons.

Prints one JSON object: per kind, the median and p95 of the per-call time in µs (each sample
is a batch of 100 calls divided by 100, so the clock's resolution does not dominate), and
whether the median is under the goal (5 µs per call, issue 8).

    python bench/access_bench.py [--calls 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from typing import Any

GOAL_US = 5.0
BATCH = 100


def _setup_django(data_dir: str) -> None:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "kitei.settings",
            "KITEI_DATA_DIR": data_dir,
            "KITEI_DEBUG": "0",
            "KITEI_SECRET_KEY": secrets.token_urlsafe(50),
            "KITEI_ALLOWED_HOSTS": "testserver",
        }
    )
    os.environ.pop("KITEI_DATABASE_URL", None)
    import django  # noqa: PLC0415 - configured above

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", interactive=False, verbosity=0)


def _cast() -> dict[str, Any]:
    """The organisation, an asset in 総務課, and the three actors."""
    from tests.conftest import SETUP, make_org, make_person  # noqa: PLC0415

    from kitei.assets.services import register_asset  # noqa: PLC0415
    from kitei.people.services import create_department  # noqa: PLC0415

    org = make_org()
    dept = create_department(org, actor=SETUP, name="総務課")
    manager = make_person(
        org, "sato", "佐藤", roles=("information_security_manager",), department=dept
    )
    admin = make_person(org, "ito", "伊藤", is_org_admin=True)
    member = make_person(org, "suzuki", "鈴木", department=dept)
    asset = register_asset(
        org,
        actor=SETUP,
        name="議員名簿",
        department=dept,
        form="electronic",
        classification={"機密性": "機密性2", "完全性": "1", "可用性": "1"},
    )
    return {"org": org, "asset": asset, "manager": manager, "admin": admin, "member": member}


def _time(calls: int, fn: Any) -> dict[str, Any]:
    samples = []
    for _ in range(max(1, calls // BATCH)):
        start = time.perf_counter_ns()
        for _ in range(BATCH):
            fn()
        samples.append((time.perf_counter_ns() - start) / BATCH / 1000)
    samples.sort()
    median = statistics.median(samples)
    return {
        "median_us": round(median, 2),
        "p95_us": round(samples[int(len(samples) * 0.95) - 1], 2),
        "calls": len(samples) * BATCH,
        "under_goal": median < GOAL_US,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kitei-access-bench-") as data_dir:
        _setup_django(data_dir)
        from kitei.core import access, tenancy  # noqa: PLC0415

        cast = _cast()
        org, asset = cast["org"], cast["asset"]
        users = {k: cast[k].user for k in ("manager", "admin", "member")}
        for user in users.values():
            # As SecurityGateMiddleware does: the active membership is bound, then the
            # request cache started.
            tenancy.bind(user, tenancy.membership_in(user, org.pk))
            access.start_request_cache(user)
        cases = {
            "member": (users["member"], "assets.view", asset, True),
            "admin": (users["admin"], "people.manage", org, True),
            "grant": (users["manager"], "assets.manage", asset, True),
            "refusal": (users["member"], "assets.manage", asset, False),
        }
        results: dict[str, Any] = {}
        for name, (user, permission, resource, expected) in cases.items():
            verdict = access.check(user, permission, resource)  # warms the caches
            if verdict.allowed is not expected:
                print(f"{name}: expected allowed={expected}, got {verdict}", file=sys.stderr)
                return 1
            results[name] = _time(
                args.calls,
                lambda u=user, p=permission, r=resource: access.check(u, p, r),
            )
    print(
        json.dumps(
            {
                "benchmark": "access_check",
                "python": platform.python_version(),
                "goal_us": GOAL_US,
                "results": results,
            },
            ensure_ascii=False,
        )
    )
    return 0 if all(r["under_goal"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
