"""Benchmark: an audit's page with many working papers and evidence files, sealing it,
and the findings list of a large installation (§5.4's targets).

On a fresh SQLite database in a temporary directory (production settings), one audit gets
`--items` working papers and `--files` small evidence files plus `--seal-mb` MB of larger
ones (stored, with their SHA-256); its page is timed through Django's test client (p95 of
`--runs`); the report is issued, which re-hashes every stored file (streamed) and writes the
seal; then `--findings` findings over `--orgs` organisations are inserted and one
organisation's findings list (what its CISO opens) is timed. Targets: the item list p95 <
200 ms (500 items, 5,000 files), sealing 1 GB < 20 s, the findings list p95 < 300 ms
(20,000 findings, 50 organisations). Prints one JSON object:

    {"audit_page": {"p95_ms": ...}, "seal": {"mb": ..., "s": ...}, "findings_page": {...}}

    PYTHONPATH=. python bench/audit_work_bench.py [--items 500] [--files 5000] [--seal-mb 1024]
        [--findings 20000] [--orgs 50] [--runs 20]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from typing import Any

from tests.conftest import SETUP


def _parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--seal-mb", type=int, default=1024)
    parser.add_argument("--findings", type=int, default=20_000)
    parser.add_argument("--orgs", type=int, default=50)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _p95(client: Any, url: str, runs: int) -> dict[str, Any]:
    times = []
    response = None
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    assert response is not None
    return {
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        "median_ms": round(times[len(times) // 2], 1),
        "bytes": len(response.content),
    }


def _evidence(audit: Any, files: int, seal_mb: int) -> int:
    """Store `files` 1 KB files and `seal_mb` MB in 64 MB files; rows in bulk. Returns bytes."""
    from django.contrib.contenttypes.models import ContentType  # noqa: PLC0415
    from django.core.files.base import ContentFile  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from kitei.core.models import EvidenceFile, evidence_storage  # noqa: PLC0415

    storage = evidence_storage()
    content_type = ContentType.objects.get_for_model(audit)
    rows, total = [], 0
    sizes = (
        [1024] * files
        + [64 << 20] * (seal_mb // 64)
        + ([(seal_mb % 64) << 20] if seal_mb % 64 else [])
    )
    block = os.urandom(1 << 20)
    for n, size in enumerate(sizes):
        name = f"{audit.organization_id}/bench/{n:06d}.pdf"
        data = (block * (size // len(block) + 1))[:size] if size >= 1024 else block[:size]
        data = b"%PDF-1.4\n" + data[9:]
        storage.save(name, ContentFile(data))
        total += len(data)
        rows.append(
            EvidenceFile(
                organization=audit.organization,
                file=name,
                sha256=hashlib.sha256(data).hexdigest(),
                size=len(data),
                content_type="application/pdf",
                original_name=f"証拠{n:06d}.pdf",
                uploaded_by_name="bench",
                evidence_date=timezone.localdate(),
                supports_type=content_type,
                supports_id=audit.pk,
            )
        )
    EvidenceFile.objects.bulk_create(rows, batch_size=1000)
    return total


def _findings(orgs: int, findings: int) -> Any:
    """`findings` findings spread over `orgs` organisations; returns the first one's owner
    (their list, ?mine=1, holds every open finding of the organisation)."""
    from tests.conftest import make_org, make_person  # noqa: PLC0415

    from kitei.audits import services  # noqa: PLC0415
    from kitei.audits.choices import FindingKind  # noqa: PLC0415
    from kitei.audits.models import Finding  # noqa: PLC0415
    from kitei.people.services import create_department  # noqa: PLC0415

    first_owner = None
    per_org = findings // orgs
    kinds = list(FindingKind.values)
    for n in range(orgs):
        org = make_org(f"org{n}", "mito-city-council", f"議会 {n}")
        dept = create_department(org, actor=SETUP, name="総務課")
        owner = make_person(org, f"o{n}", f"管理者 {n}", department=dept)
        first_owner = first_owner or owner
        audit = services.plan_audit(
            services.create_programme(org, actor=SETUP, fiscal_year=2026),
            actor=SETUP,
            title="監査",
            kind="internal",
            departments=[dept],
        )
        Finding.objects.bulk_create(
            [
                Finding(
                    organization=org,
                    audit=audit,
                    number=f"R8-{i + 1:05d}",
                    kind=kinds[i % len(kinds)],
                    title=f"指摘 {i}",
                    department=dept,
                    owner=owner,
                    raised_by_name="bench",
                )
                for i in range(per_org)
            ],
            batch_size=1000,
        )
    return first_owner


def run_in_process(args: argparse.Namespace) -> dict[str, Any]:
    """Set Django up, migrate, build the audit and the findings, time; return the figures."""
    import django  # noqa: PLC0415 - settings come from the environment set up by the parent

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from tests.conftest import make_org, make_person  # noqa: PLC0415

    from kitei.audits import services  # noqa: PLC0415
    from kitei.audits.models import WorkingPaper  # noqa: PLC0415
    from kitei.people.services import create_department  # noqa: PLC0415

    call_command("migrate", interactive=False, verbosity=0)
    org = make_org()
    somu = create_department(org, actor=SETUP, name="総務課")
    # A 監査を行う者 (not an administrative role, so no TOTP step for the test client).
    lead = make_person(org, "kansa", "監査 一子", roles=("auditor",))
    audit = services.plan_audit(
        services.create_programme(org, actor=SETUP, fiscal_year=2026),
        actor=SETUP,
        title="総務課の監査",
        kind="internal",
        departments=[somu],
    )
    services.appoint_auditor(audit, lead, actor=SETUP, is_lead=True)
    services.start_audit(audit, actor=SETUP)
    WorkingPaper.objects.bulk_create(
        [
            WorkingPaper(
                organization=org,
                audit=audit,
                item=f"項目 {i}",
                text="確認した。" * 10,
                recorded_by=lead,
            )
            for i in range(args.items)
        ],
        batch_size=1000,
    )
    stored = _evidence(audit, args.files, args.seal_mb)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(lead.user)
    page = _p95(client, f"/audits/{audit.pk}/", args.runs)
    started = time.perf_counter()
    services.issue_report(audit, actor=SETUP, report="監査の結果")
    seal_s = time.perf_counter() - started
    owner = _findings(args.orgs, args.findings)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(owner.user)
    findings_page = _p95(client, "/audits/findings/?mine=1", args.runs)
    return {
        "database": connection.vendor,
        "audit_page": {**page, "items": args.items, "files": args.files + args.seal_mb // 64},
        "seal": {"mb": round(stored / (1 << 20), 1), "s": round(seal_s, 2)},
        "findings_page": {**findings_page, "findings": args.findings, "orgs": args.orgs},
        "targets": {"audit_page_p95_ms": 200, "seal_1gb_s": 20, "findings_page_p95_ms": 300},
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark in a fresh interpreter on a temporary database; print JSON."""
    args = _parse(argv)
    if args.child:
        print(json.dumps(run_in_process(args), ensure_ascii=False))
        return 0
    with tempfile.TemporaryDirectory(prefix="kitei-audit-work-bench-") as data_dir:
        env = {**os.environ, "KITEI_DATA_DIR": data_dir, "KITEI_DEBUG": "0"}
        env |= {"DJANGO_SETTINGS_MODULE": "kitei.settings", "KITEI_ALLOWED_HOSTS": "testserver"}
        env["KITEI_SECRET_KEY"] = secrets.token_urlsafe(50)
        env.pop("KITEI_DATABASE_URL", None)
        child = [sys.executable, __file__, "--child", *(argv if argv is not None else sys.argv[1:])]
        done = subprocess.run(child, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        return 1
    print(done.stdout.strip().splitlines()[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
