"""Benchmark: filing an incident with its chain, the list at 20,000 incidents, a page with
2,000 timeline entries (issue 11, §5.1 targets).

Builds, in a temporary SQLite database, 水戸市議会 on the mito-city-council pack with the
holders of the incident chain's roles (情報セキュリティ管理者 of 総務課, CISO, 責任者, a
system and its 情報システム管理者, a CSIRT member) and times:

- `file`: `services.file_incident` of a 情報セキュリティインシデント (the incident, its number,
  the 6-3(1)ア/イ steps resolved to people, the first two opened, the ChangeRecords);
- `list`: GET /incidents/?state=reported&year=… as the CSIRT with `--incidents` incidents in
  the organisation (bulk-inserted; filtered by state and fiscal year, first page);
- `page`: GET /incidents/<id>/ of an incident with `--entries` timeline entries.

Prints one JSON object: p50/p95 in ms per measure and whether p95 meets the goal (150 ms,
150 ms, 300 ms). Run with `PYTHONPATH=.`:

    python bench/incident_bench.py [--files 100] [--incidents 20000] [--entries 2000]
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
from datetime import timedelta
from typing import Any

GOALS_MS = {"file": 150.0, "list": 150.0, "page": 300.0}


def _setup_django(data_dir: str) -> None:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "kitei.settings",
            "KITEI_DATA_DIR": data_dir,
            "KITEI_DEBUG": "0",
            "KITEI_SECRET_KEY": secrets.token_urlsafe(50),
            "KITEI_ALLOWED_HOSTS": "testserver",
            "KITEI_SEEDS_DIR": os.environ.get("KITEI_SEEDS_DIR", ""),
        }
    )
    os.environ.pop("KITEI_DATABASE_URL", None)
    import django  # noqa: PLC0415 - configured above

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", interactive=False, verbosity=0)


def _stats(samples: list[float], goal: float) -> dict[str, Any]:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return {
        "n": len(samples),
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(p95, 2),
        "goal_ms": goal,
        "meets_goal": p95 < goal,
    }


def _timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--incidents", type=int, default=20000)
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as data_dir:
        _setup_django(data_dir)
        from django.test import Client  # noqa: PLC0415
        from django.utils import timezone  # noqa: PLC0415
        from tests.conftest import SETUP, make_org, make_person  # noqa: PLC0415

        from kitei.core import numbering  # noqa: PLC0415
        from kitei.incidents import services  # noqa: PLC0415
        from kitei.incidents.models import Incident, TimelineEntry  # noqa: PLC0415
        from kitei.people.services import create_department  # noqa: PLC0415
        from kitei.systems.services import register_system  # noqa: PLC0415

        org = make_org()
        somu = create_department(org, actor=SETUP, name="総務課")
        make_person(org, "sato", "佐藤", roles=("information_security_manager",), department=somu)
        make_person(org, "gicho", "議長", roles=("ciso",))
        make_person(org, "kyokucho", "局長", roles=("information_security_officer",))
        kato = make_person(org, "kato", "加藤", department=somu)
        system = register_system(
            org, actor=SETUP, name="議会情報システム", department=somu, manager=kato
        )
        staff = make_person(org, "suzuki", "鈴木", roles=("members_and_staff",), department=somu)
        csirt = make_person(org, "csirt", "CSIRT", roles=("csirt",), department=somu)
        detected = timezone.now() - timedelta(minutes=5)

        def file_one() -> Any:
            return services.file_incident(
                org,
                actor=staff.user,
                kind="incident",
                title="不審なメール",
                description="添付を開いた",
                detected_at=detected,
                systems=[system],
            )

        file_one()  # warm the pack cache
        filing = [_timed(file_one) for _ in range(args.files)]

        year = numbering.fiscal_year(timezone.localdate())
        prefix = numbering.era_year(year)
        now = timezone.now()
        start = Incident.objects.count() + 1
        rows = [
            Incident(
                organization=org,
                number=f"{prefix}-B{n:06d}",
                kind="incident",
                kind_title="情報セキュリティインシデント",
                title=f"bench {n}",
                description="bench",
                detected_at=now,
                reported_at=now - timedelta(seconds=n),
                reporter=staff,
                pack_id=org.pack_id,
                pack_version=org.pack_version,
                pack_digest=org.pack_digest,
                state=("reported", "triage", "responding", "closed")[n % 4],
            )
            for n in range(start, args.incidents + 1)
        ]
        Incident.objects.bulk_create(rows, batch_size=2000)
        target = Incident.objects.filter(organization=org).order_by("pk").first()
        assert target is not None
        TimelineEntry.objects.bulk_create(
            [
                TimelineEntry(
                    organization=org,
                    incident=target,
                    kind="containment",
                    text=f"経過 {n}",
                    event_at=now - timedelta(seconds=n),
                    author=csirt,
                )
                for n in range(args.entries)
            ],
            batch_size=2000,
        )
        client = Client()
        client.force_login(csirt.user)
        list_url = f"/incidents/?state=reported&year={year}"
        page_url = f"/incidents/{target.pk}/"
        for url in (list_url, page_url):
            response = client.get(url)
            if response.status_code != 200:
                print(f"{url}: {response.status_code}", file=sys.stderr)
                return 1
        listing = [_timed(lambda: client.get(list_url)) for _ in range(args.requests)]
        page = [_timed(lambda: client.get(page_url)) for _ in range(args.requests)]
        result = {
            "benchmark": "incident_bench",
            "database": "sqlite",
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
            "incidents": Incident.objects.filter(organization=org).count(),
            "timeline_entries": args.entries,
            "file": _stats(filing, GOALS_MS["file"]),
            "list": _stats(listing, GOALS_MS["list"]),
            "page": _stats(page, GOALS_MS["page"]),
        }
        print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
