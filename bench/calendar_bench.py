"""Benchmark: computing a fiscal year's calendar, and the calendar page, at scale.

Builds, in a temporary SQLite database, 水戸市議会 on the mito-city-council pack with
`--systems` information systems (each with its 情報システム管理者 in the register) in 10 課,
`--people` people, and every 定期的 duty given a monthly interval by the organisation
(`duty:<id>:interval` = P1M), so that the system-scoped duties alone give 12 occurrences per
system. Then times:

- `compute`: `kitei.duties.schedule.compute(org, 2026)`, all occurrences of the year;
- `page`: GET /duties/?year=2026&state=due&person=ID as a 情報システム管理者 (the page a person
  opens: the year computed, narrowed to their duties, rendered);
- `reminders`: the periodic job `duties.send_digests` over `--orgs` organisations (the first
  one and more with `--org-systems` systems each, every duty with a 30-day lead time), mails
  to the local memory backend.

Prints one JSON object with the number of occurrences, the median and p95 of each in ms, and
whether they meet §5.5's goals (18,000 occurrences in < 300 ms, scaled to the occurrences
computed; the calendar page p95 < 200 ms; reminders for 50 organisations < 60 s).

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
REMINDER_GOAL_S = 60.0


def _setup_django(data_dir: str) -> None:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "kitei.settings",
            "KITEI_DATA_DIR": data_dir,
            "KITEI_DEBUG": "0",
            "KITEI_SECRET_KEY": secrets.token_urlsafe(50),
            "KITEI_ALLOWED_HOSTS": "testserver",
            "KITEI_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    os.environ.pop("KITEI_DATABASE_URL", None)
    import django  # noqa: PLC0415 - configured above

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", interactive=False, verbosity=0)


def _build(systems: int, people: int, slug: str = "mito") -> tuple[Any, Any]:
    from tests.conftest import SETUP, make_org, make_person  # noqa: PLC0415

    from kitei.duties.orgsettings import pack_of, set_setting  # noqa: PLC0415
    from kitei.people.models import Department, Person  # noqa: PLC0415
    from kitei.systems.models import System  # noqa: PLC0415

    org = make_org(slug)
    departments = [Department.objects.create(organization=org, name=f"第{i}課") for i in range(10)]
    # Set-up only: rows written in bulk (the services' audit trail is not what is measured).
    Person.objects.bulk_create(
        Person(
            organization=org,
            name=f"職員{i:04d}",
            department=departments[i % 10],
            email=f"staff{i}@{slug}.example.jp",
        )
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
    viewer = make_person(org, f"viewer_{slug}", "計測 担当", is_org_admin=False)
    System.objects.filter(organization=org, name="システム0000").update(manager=viewer)
    for duty in pack_of(org).periodic_duties:
        decided = {
            "basis": "ベンチマーク",
            "decided_by": "ベンチマーク",
            "decided_on": date(2026, 4, 1),
        }
        if duty.frequency in ("periodic_unspecified", "per_plan"):
            set_setting(org, actor=SETUP, key=f"duty:{duty.id}:interval", value="P1M", **decided)
        if duty.frequency not in ("as_needed", "continuous"):
            set_setting(org, actor=SETUP, key=f"duty:{duty.id}:lead", value="P30D", **decided)
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


def _reminders(more: int, systems: int) -> dict[str, Any]:
    """The reminder job over `more` further organisations (and the first one): one run, timed."""
    from django.core import mail  # noqa: PLC0415

    from kitei.core.actors import Operator  # noqa: PLC0415
    from kitei.duties.reminders import send_all_digests  # noqa: PLC0415

    for i in range(more):
        _build(systems, systems, slug=f"org{i:02d}")
    from django.utils import timezone  # noqa: PLC0415

    start = time.perf_counter()
    line = send_all_digests(Operator(name="bench"))
    elapsed = time.perf_counter() - start
    return {
        "organizations": more + 1,
        "seconds": round(elapsed, 2),
        "mails": len(mail.outbox),
        "result": line,
        "today": timezone.localdate().isoformat(),
        "goal_s": REMINDER_GOAL_S,
        "ok": elapsed < REMINDER_GOAL_S,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=300)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--orgs", type=int, default=50, help="organisations for the reminders")
    parser.add_argument("--org-systems", type=int, default=30, help="systems of each of them")
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
        reminders = _reminders(args.orgs - 1, args.org_systems)
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
                    "reminders": reminders,
                },
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    main()
