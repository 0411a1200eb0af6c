"""Benchmark: the audit trail page (/audit/) and its export on a large trail.

On a fresh SQLite database in a temporary directory (production settings: DEBUG off, a
throw-away secret key), one organisation gets `--records` ChangeRecords through
`record_changes` (the bulk path of imports: every record hashed and chained), spread over
two years, six actions, six actors (one of them an operator) and four object types. Then
an auditor's browser requests are timed through Django's test client (median of
`--runs`): the newest page, a page deep in the trail, each filter, a month's and a year's records,
one object's history, and an export of the longest period within KITEI_AUDIT_EXPORT_ROWS.
`count_ms` is what a Paginator would add to every page: COUNT(*) of the whole trail.
Prints one JSON object:

    {"records": 100000, "pages": {"newest": {"ms": ..., "queries": ...}, ...}, ...}

    python bench/audit_page_bench.py [--records 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from typing import Any
from unittest import mock

from tests.conftest import SETUP

ACTIONS = (
    ("register_asset", "assets.asset"),
    ("update_asset", "assets.asset"),
    ("classify_asset", "assets.asset"),
    ("create_person", "people.person"),
    ("file_request", "approvals.request"),
    ("record_entry", "records.recordentry"),
)


def _parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _fill(org: Any, actors: list[Any], records: int) -> None:
    """Append `records` records, 1,000 per transaction, over two years up to now."""
    from django.db import transaction  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from kitei.core.services import record_changes  # noqa: PLC0415

    start = timezone.now() - timedelta(days=730)
    step = timedelta(days=730) / max(records, 1)
    done = 0
    while done < records:
        batch = min(1_000, records - done)
        actor = actors[(done // 1_000) % len(actors)]
        entries = []
        for n in range(done, done + batch):
            action, object_type = ACTIONS[n % len(ACTIONS)]
            entries.append(
                {
                    "action": action,
                    "object_type": object_type,
                    "object_id": str(n % 5_000 + 1),
                    "before": {"name": f"資産 {n}", "confidentiality": "2"} if n % 3 else None,
                    "after": {"name": f"資産 {n}", "confidentiality": "3"},
                }
            )
        with (
            mock.patch("django.utils.timezone.now", return_value=start + step * done),
            transaction.atomic(),
        ):
            record_changes(org, actor=actor, entries=entries)
        done += batch


def _time(client: Any, url: str, params: dict[str, str], runs: int) -> dict[str, Any]:
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, params)
            times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url} {params}: {response.status_code}")
    return {
        "ms": round(statistics.median(times) * 1000, 1),
        "queries": len(queries.captured_queries),
        "bytes": len(response.content),
    }


def run_in_process(records: int, runs: int) -> dict[str, Any]:
    """Set Django up, migrate, fill the trail, time the pages; return the figures."""
    import django  # noqa: PLC0415 - settings come from the environment set up by the parent

    django.setup()
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415
    from tests.conftest import make_org, make_person  # noqa: PLC0415

    from kitei.core.audit_queries import AuditFilters  # noqa: PLC0415
    from kitei.core.audit_queries import records as records_of  # noqa: PLC0415
    from kitei.core.models import ChangeRecord  # noqa: PLC0415

    call_command("migrate", interactive=False, verbosity=0)
    org = make_org()
    people = [make_person(org, f"user{n}", f"職員 {n}") for n in range(5)]
    auditor = make_person(org, "kansa", "監査 一子", roles=("auditor",))
    started = time.perf_counter()
    _fill(org, [*(p.user for p in people), SETUP], records)
    fill_s = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    client = Client()
    client.force_login(auditor.user)
    middle = ChangeRecord.objects.filter(organization=org).count() // 2
    month = timezone.localdate() - timedelta(days=365)
    month_filter = {"date_from": month.isoformat(), "date_to": (month + timedelta(30)).isoformat()}
    scenarios = {
        "newest": {},
        "deep_page": {"before": str(middle)},
        "action": {"action": "classify_asset"},
        "action_deep": {"action": "classify_asset", "before": str(middle)},
        "person": {"actor": "user3"},
        "operator": {"actor": SETUP.name},
        "object_type": {"object_type": "records.recordentry"},
        "object_history": {"object_type": "assets.asset", "object_id": "4321"},
        "month": month_filter,
        "month_and_action": {**month_filter, "action": "file_request"},
        "year": {
            "date_from": (month - timedelta(180)).isoformat(),
            "date_to": (month + timedelta(184)).isoformat(),
        },
        "empty_result": {"action": "unlock_account"},
    }
    pages = {name: _time(client, "/audit/", params, runs) for name, params in scenarios.items()}
    started = time.perf_counter()
    for _ in range(runs):
        ChangeRecord.objects.filter(organization=org).count()
    count_ms = (time.perf_counter() - started) / runs * 1000
    # The export: the longest period (whole days) that stays within KITEI_AUDIT_EXPORT_ROWS.
    days = max(1, int(730 * 0.9 * settings.AUDIT_EXPORT_ROWS / records) - 1)
    period = {"date_from": month.isoformat(), "date_to": (month + timedelta(days)).isoformat()}
    export = _time(client, "/audit/export.xlsx", period, 1)
    exported = records_of(
        org, AuditFilters(date_from=month, date_to=month + timedelta(days))
    ).count()
    return {
        "database": connection.vendor,
        "records": ChangeRecord.objects.filter(organization=org).count(),
        "fill_s": round(fill_s, 1),
        "pages": pages,
        "count_ms": round(count_ms, 1),
        "export": {**export, "days": days + 1, "records": exported},
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark in a fresh interpreter on a temporary database; print JSON."""
    args = _parse(argv)
    if args.child:
        print(json.dumps(run_in_process(args.records, args.runs), ensure_ascii=False))
        return 0
    with tempfile.TemporaryDirectory(prefix="kitei-audit-page-bench-") as data_dir:
        env = {**os.environ, "KITEI_DATA_DIR": data_dir, "KITEI_DEBUG": "0"}
        env |= {"DJANGO_SETTINGS_MODULE": "kitei.settings", "KITEI_ALLOWED_HOSTS": "testserver"}
        env["KITEI_SECRET_KEY"] = secrets.token_urlsafe(50)
        env.pop("KITEI_DATABASE_URL", None)
        argv_child = [sys.executable, __file__, "--child", "--records", str(args.records)]
        argv_child += ["--runs", str(args.runs)]
        done = subprocess.run(argv_child, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        return 1
    print(done.stdout.strip().splitlines()[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
