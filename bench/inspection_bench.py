"""Benchmark: generating a self-inspection campaign, the questionnaire page and the roll-up.

Builds, in a temporary SQLite database (or KITEI_BENCH_DATABASE_URL's PostgreSQL), an
organisation on a copy of the mito-city-council pack whose first 300 inspection items are
all of scope `department`, with 150 課, a 情報セキュリティ管理者 in each and a
情報セキュリティ責任者. Then it times:

- `generate_s`: `start_campaign` of `self-inspection-policy` (150 課 × 300 items = 45,000
  answer rows plus the organisation's questionnaire; goal < 10 s on SQLite);
- `questionnaire_page`: GET of one 課's questionnaire page (25 items a page, evidence and
  last year's answers), median and p95 (goal p95 < 200 ms);
- `rollup_page`: GET of the roll-up page of the campaign with answers filled in, median and
  p95 (goal p95 < 300 ms);
- `export_s`: the .xlsx export of one 300-item questionnaire (goal < 2 s).

Prints one JSON object.

    PYTHONPATH=. python bench/inspection_bench.py [--departments 150] [--items 300] [--runs 30]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GOALS = {"generate_s": 10.0, "questionnaire_p95_ms": 200.0, "rollup_p95_ms": 300.0, "export_s": 2.0}


def _parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=150)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pack", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _bench_pack(folder: Path, items: int) -> Path:
    """The mito pack with its first `items` controls made department-scoped."""
    from kitei.policy.loader import resolve_pack_path  # noqa: PLC0415

    text = resolve_pack_path("mito-city-council").read_text(encoding="utf-8")
    head, controls = text.split("\ncontrols:\n", 1)
    lines = [line for line in controls.splitlines() if line.startswith("  - {id:")]
    if len(lines) < items:
        raise SystemExit(f"the pack has only {len(lines)} controls")
    scoped = [re.sub(r"scope: \w+", "scope: department", line) for line in lines[:items]]
    path = folder / "pack.yaml"
    path.write_text(head + "\ncontrols:\n" + "\n".join(scoped) + "\n", encoding="utf-8")
    return path


def _p(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
    }


def _time(client: Any, url: str, runs: int) -> dict[str, float]:
    client.get(url)  # warm: the pack compiled once per process, templates loaded
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")
    return _p(times)


def run_in_process(args: argparse.Namespace) -> dict[str, Any]:
    """Set Django up, migrate, build the cast, time generation and pages."""
    import django  # noqa: PLC0415 - settings come from the environment set up by the parent

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from tests.conftest import SETUP, make_person  # noqa: PLC0415

    from kitei.core.services import create_organization  # noqa: PLC0415
    from kitei.inspections.excel import export_questionnaire  # noqa: PLC0415
    from kitei.inspections.generation import start_campaign  # noqa: PLC0415
    from kitei.inspections.models import Answer, Questionnaire  # noqa: PLC0415
    from kitei.people.models import Department, RoleAssignment  # noqa: PLC0415

    call_command("migrate", interactive=False, verbosity=0)
    org = create_organization(actor=SETUP, slug="bench", name="ベンチ市議会", pack=args.pack)
    Department.objects.bulk_create(
        Department(organization=org, name=f"第{n:03d}課") for n in range(args.departments)
    )
    first = Department.objects.filter(organization=org).order_by("name").first()
    manager = make_person(org, "kacho", "課長 一郎", department=first)
    make_person(org, "kyokucho", "局長 次郎", roles=("information_security_officer",))
    RoleAssignment.objects.bulk_create(
        RoleAssignment(
            organization=org, person=manager, role_id="information_security_manager", department=d
        )
        for d in Department.objects.filter(organization=org)
    )
    staff = make_person(org, "shokuin", "職員 三郎", department=first)
    started = time.perf_counter()
    campaign = start_campaign(
        org, actor=SETUP, duty_id="self-inspection-policy", fiscal_year=2026, scopes=["department"]
    )
    generate_s = time.perf_counter() - started
    answers = Answer.objects.filter(questionnaire__campaign=campaign).count()
    q = Questionnaire.objects.filter(campaign=campaign).order_by("pk").first()
    assert q is not None
    choices = ["done", "partial", "not_done", "not_applicable", "unknown", ""]
    for n, choice in enumerate(choices):
        Answer.objects.filter(questionnaire__campaign=campaign, item__position__gt=n * 50,
                              item__position__lte=(n + 1) * 50).update(choice=choice)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(staff.user)
    questionnaire = _time(client, f"/inspections/q/{q.pk}/", args.runs)
    rollup = _time(client, f"/inspections/{campaign.pk}/rollup/", args.runs)
    from kitei.inspections.queries import rollup as rollup_of  # noqa: PLC0415

    rollup_of(campaign)
    query_times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        rollup_of(campaign)
        query_times.append(time.perf_counter() - started)
    started = time.perf_counter()
    export_questionnaire(q)
    export_s = time.perf_counter() - started
    result = {
        "database": connection.vendor,
        "departments": args.departments,
        "items": args.items,
        "answers": answers,
        "generate_s": round(generate_s, 2),
        "questionnaire_page": questionnaire,
        "rollup_page": rollup,
        "rollup_queries": _p(query_times),
        "export_s": round(export_s, 2),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }
    result["goals_met"] = {
        "generate": generate_s < GOALS["generate_s"],
        "questionnaire_p95": questionnaire["p95_ms"] < GOALS["questionnaire_p95_ms"],
        "rollup_p95": rollup["p95_ms"] < GOALS["rollup_p95_ms"],
        "export": export_s < GOALS["export_s"],
    }
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark in a fresh interpreter on a temporary database; print JSON."""
    args = _parse(argv)
    if args.child:
        print(json.dumps(run_in_process(args), ensure_ascii=False))
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    with tempfile.TemporaryDirectory(prefix="kitei-inspection-bench-") as data_dir:
        pack = _bench_pack(Path(data_dir), args.items)
        env = {**os.environ, "KITEI_DATA_DIR": data_dir, "KITEI_DEBUG": "0"}
        env |= {"DJANGO_SETTINGS_MODULE": "kitei.settings", "KITEI_ALLOWED_HOSTS": "testserver"}
        env["KITEI_SECRET_KEY"] = secrets.token_urlsafe(50)
        if os.environ.get("KITEI_BENCH_DATABASE_URL"):
            env["KITEI_DATABASE_URL"] = os.environ["KITEI_BENCH_DATABASE_URL"]
        else:
            env.pop("KITEI_DATABASE_URL", None)
        child = [sys.executable, __file__, "--child", "--pack", str(pack)]
        child += ["--departments", str(args.departments), "--items", str(args.items)]
        child += ["--runs", str(args.runs)]
        done = subprocess.run(child, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        return 1
    print(done.stdout.strip().splitlines()[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
