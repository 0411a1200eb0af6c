"""Benchmark: append ChangeRecords through the real service path, then verify the chain.

On a fresh SQLite database in a temporary directory (migrated here), with production
settings (DEBUG off, a throw-away secret key; `--debug` sets KITEI_DEBUG=1, whose query
log slows appending by about a third), one organisation is
created with `create_organization`; then `--records` records are appended with
`record_change`, `--batch` per transaction (as a bulk import would; every record is still
locked, hashed and written exactly as production does), and the whole trail is checked
with `verify_audit_chain`, three times (the median is reported, each run too, with the
load average: other processes on the machine move it). Prints one JSON object:

    {"database": "sqlite", "records": ..., "append_records_per_s": ...,
     "verify_records_per_s": ..., "ok": true, ...}

`--postgres` runs the same afterwards against the server of KITEI_DATABASE_URL, in a
temporary database created there and dropped at the end (skipped, with a note, when the
variable is unset or the server does not answer). Exits 1 when a chain does not verify.

    python bench/audit_bench.py [--records 1000000] [--batch 1000] [--debug]
                                [--postgres [--postgres-records N]]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from tests.conftest import SETUP

VERIFY_GOAL = 500_000  # records/s, issue 3


def _parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1_000, help="records per transaction")
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    parser.add_argument(
        "--postgres-records", type=int, default=200_000, help="records for the PostgreSQL run"
    )
    parser.add_argument("--debug", action="store_true", help="KITEI_DEBUG=1 (query log on)")
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run_in_process(database: str, records: int, batch: int) -> dict[str, Any]:
    """Set Django up on the configured database, migrate, append, verify; return figures."""
    import django  # noqa: PLC0415 - settings come from the environment set up by the parent

    django.setup()
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import transaction  # noqa: PLC0415

    from kitei.assets.choices import AssetAuditAction  # noqa: PLC0415
    from kitei.core.services import (  # noqa: PLC0415
        create_organization,
        record_change,
        verify_audit_chain,
    )

    call_command("migrate", interactive=False, verbosity=0)
    org = create_organization(
        actor=SETUP, slug="bench", name="ベンチマーク市", pack="mito-city-council"
    )
    appended = 1  # create_organization's own record
    started = time.perf_counter()
    while appended < records:
        with transaction.atomic():
            for _ in range(min(batch, records - appended)):
                appended += 1
                record_change(
                    org,
                    actor=SETUP,
                    action=AssetAuditAction.UPDATE_ASSET,
                    object_type="assets.asset",
                    object_id=str(appended),
                    before={"name": f"資産 {appended - 1}", "confidentiality": "3A"},
                    after={"name": f"資産 {appended}", "confidentiality": "3B"},
                )
    append_s = time.perf_counter() - started

    runs = []  # verification is read-only: three runs show how much the machine's load moves it
    cpu = []  # CPU seconds of both threads: what the run costs whatever else is running
    for _ in range(3):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = verify_audit_chain()
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        if not result.ok:
            break
    verify_s = statistics.median(runs)
    verify_rate = round(result.checked / verify_s) if verify_s else 0
    return {
        "database": database,
        "records": appended,
        "batch": batch,
        "append_s": round(append_s, 2),
        "append_records_per_s": round((appended - 1) / append_s) if append_s else 0,
        "verify_s": round(verify_s, 3),
        "verify_records_per_s": verify_rate,
        "verify_records_per_s_runs": [round(result.checked / s) for s in runs],
        "verify_cpu_s": round(statistics.median(cpu), 3),
        "verify_goal_records_per_s": VERIFY_GOAL,
        "verify_goal_met": verify_rate >= VERIFY_GOAL,
        "checked": result.checked,
        "ok": result.ok and result.checked == appended,
        "problem": result.problem,
        "debug": settings.DEBUG,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }


def _child(database: str, env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    """Run one database's benchmark in a fresh interpreter (Django settings are per process)."""
    records = args.records
    if database == "postgres":
        records = args.postgres_records
    argv = [sys.executable, __file__, "--child", database]
    argv += ["--records", str(records), "--batch", str(args.batch)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        return {"database": database, "ok": False, "error": done.stderr.strip()[-500:]}
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _environment(args: argparse.Namespace, data_dir: str) -> dict[str, str]:
    env = {**os.environ, "KITEI_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "kitei.settings"}
    env["KITEI_DEBUG"] = "1" if args.debug else "0"
    env["KITEI_SECRET_KEY"] = secrets.token_urlsafe(50)
    env.pop("KITEI_DATABASE_URL", None)
    return env


def _sqlite(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kitei-audit-bench-") as data_dir:
        return _child("sqlite", _environment(args, data_dir), args)


def _postgres(args: argparse.Namespace) -> dict[str, Any]:
    url = os.environ.get("KITEI_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return {"database": "postgres", "skipped": "KITEI_DATABASE_URL is not a PostgreSQL URL"}
    import psycopg  # noqa: PLC0415 - only this option needs it

    base, _, _ = url.rpartition("/")
    name = f"kitei_audit_bench_{os.getpid()}"
    try:
        admin = psycopg.connect(url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        return {"database": "postgres", "skipped": f"server does not answer: {exc}"}
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            with tempfile.TemporaryDirectory(prefix="kitei-audit-bench-") as data_dir:
                env = _environment(args, data_dir)
                env["KITEI_DATABASE_URL"] = f"{base}/{name}"
                return _child("postgres", env, args)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark(s) and print one JSON object per database."""
    args = _parse(argv)
    if args.child:
        print(json.dumps(run_in_process(args.child, args.records, args.batch)))
        return 0
    runs = [_sqlite(args)]
    if args.postgres:
        runs.append(_postgres(args))
    for figures in runs:
        print(json.dumps(figures, ensure_ascii=False))
    return 0 if all(r.get("ok") or "skipped" in r for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
