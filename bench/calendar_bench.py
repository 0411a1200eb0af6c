"""Benchmark: computing a fiscal year's calendar, and the calendar page, at scale.

Builds, in a temporary SQLite database, 水戸市議会 on the mito-city-council pack with
`--systems` information systems (each with its 情報システム管理者 in the register) in 10 課,
`--people` people, and every 定期的 duty given a monthly interval by the organisation
(`duty:<id>:interval` = P1M), so that the system-scoped duties alone give 12 occurrences per
system. Then times:

- `compute`: `kitei.duties.schedule.compute(org, 2026)`, all occurrences of the year;
- `page`: GET /duties/?year=2026&state=due&person=ID as a 情報システム管理者 (the page a person
  opens: the year computed, narrowed to their duties, rendered).

Prints one JSON object with the number of occurrences, the median and p95 of each in ms, and
whether they meet §5.5's goals (18,000 occurrences in < 300 ms, scaled to the occurrences
computed; the calendar page p95 < 200 ms).

    PYTHONPATH=. python bench/calendar_bench.py [--systems 300] [--people 300] [--runs 15]
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
from datetime import date
from typing import Any

GOAL_MS_PER_18000 = 300.0
PAGE_GOAL_MS = 200.0


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


def _build(systems: int, people: int) -> tuple[Any, Any]:
    from tests.conftest import SETUP, make_org, make_person  # noqa: PLC0415

    from kitei.duties.orgsettings import pack_of, set_setting  # noqa: PLC0415
    from kitei.people.models import Department, Person  # noqa: PLC0415
    from kitei.systems.models import System  # noqa: PLC0415

    org = make_org()
    departments = [Department.objects.create(organization=org, name=f"第{i}課") for i in range(10)]
    # Set-up only: rows written in bulk (the services' audit trail is not what is measured).
    Person.objects.bulk_create(
        Person(organization=org, name=f"職員{i:04d}", department=departments[i % 10])
        for i in range(people)
    )
    managers = list(Person.objects.filter(organization=org).order_by("pk"))
    System.objects.bulk_create(
        System(
            organization=org,
            name=f"システム{i:04d}",
            department=departments[i % 10],
            manager=managers[i % len(managers)],
        )
        for i in range(systems)
    )
    viewer = make_person(org, "bench_viewer", "計測 担当", is_org_admin=False)
    System.objects.filter(organization=org, name="システム0000").update(manager=viewer)
    for duty in pack_of(org).periodic_duties:
        if duty.frequency in ("periodic_unspecified", "per_plan"):
            set_setting(
                org,
                actor=SETUP,
                key=f"duty:{duty.id}:interval",
                value="P1M",
                basis="ベンチマーク",
                decided_by="ベンチマーク",
                decided_on=date(2026, 4, 1),
            )
    return org, viewer


def _times(run: Any, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=300)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        _setup_django(data_dir)
        from django.test import Client  # noqa: PLC0415
        from tests.conftest import PASSWORD  # noqa: PLC0415

        from kitei.duties import schedule  # noqa: PLC0415

        org, viewer = _build(args.systems, args.people)
        count = len(schedule.compute(org, 2026).occurrences)
        compute = _summary(_times(lambda: schedule.compute(org, 2026), args.runs))
        client = Client()
        assert client.login(username=viewer.user.username, password=PASSWORD)
        url = f"/duties/?year=2026&state=due&person={viewer.pk}"
        assert client.get(url).status_code == 200
        page = _summary(_times(lambda: client.get(url), args.runs))
        goal = GOAL_MS_PER_18000 * count / 18000
        print(
            json.dumps(
                {
                    "bench": "calendar",
                    "python": platform.python_version(),
                    "systems": args.systems,
                    "people": args.people,
                    "occurrences": count,
                    "compute": {
                        **compute,
                        "goal_ms": round(goal, 1),
                        "ok": compute["median_ms"] < goal,
                    },
                    "page": {**page, "goal_ms": PAGE_GOAL_MS, "ok": page["p95_ms"] < PAGE_GOAL_MS},
                },
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    main()
