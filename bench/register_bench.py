"""Benchmark: the registers' lists with 100,000 assets and 2,000 systems in one organisation.

For each database (SQLite in a temporary directory; PostgreSQL when reachable, in the
database named by KITEI_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/kitei_bench,
which is dropped and created afresh), a child process migrates, then fills one organisation:
the organisation, departments, people and the API token through the services (ChangeRecords
written), then `--systems` systems with two pieces of software each and `--assets` assets by
bulk_create without ChangeRecords (setup data only: registering them one by one through the
services would take the benchmark longer than it measures). A second organisation gets a
small register of its own, so every list really is scoped. ANALYZE (VACUUM ANALYZE on
PostgreSQL) then gives the planner its statistics, as autovacuum would; `--no-analyze`
leaves SQLite without statistics, as kitei runs it.

It then times, in process with django.test.Client (one request at a time, production
settings: DEBUG off), `--requests` requests after `--warmup` untimed ones of:

- the asset list page `/assets/` of a logged-in member, plain, with a search (`q`: name or
  description) and with a class filter and a search;
- `GET /api/assets` (Bearer token), plain, with a search, with a class filter and a
  search, and with a department filter, a class filter and a search;
- the system list page and `GET /api/systems` with a zone filter and a search.
Page, API and export read the same query string through one FilterSet per register
(kitei.assets.filters, kitei.systems.filters), so the URLs below use the same parameters.

And the pages that used to grow with the register (issue 16): the request form (plain, and
from an asset), its asset chooser's search, the home page, an asset's page, the asset
list's last and middle keyset pages (`?last=1`, `?after=ID`), and 2-character searches
(`q=名簿`: LIKE) beside `q=議員名簿` (FTS5 trigram / pg_trgm); the request form's HTML
size; each page's number of queries and (SQLite) every query whose EXPLAIN QUERY PLAN has
a SCAN of a table or index (an FTS5 MATCH and a bounded subquery's rows do not count).

Prints one JSON object: p50/p95/p99 (ms) per list, page and database, and whether each p95
is under the goal (lists 150 ms, issue 4; pages 100 ms, issue 16). Only the local databases
are contacted; every loop is bounded in count and in time.

    python bench/register_bench.py [--assets 100000] [--systems 2000] [--requests 200]
                                   [--warmup 20] [--database sqlite|postgresql|both]
                                   [--no-analyze] [--sizes 10000,100000]

`--sizes` runs the whole benchmark once per register size (instead of `--assets`) and adds
`growth`: each page's p95 at the largest size divided by its p95 at the smallest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import date, timedelta
from typing import Any

from kitei.core.actors import Operator

# Who sets the benchmark's data up (the audit trail names it). Not tests.conftest's
# operator: `python bench/register_bench.py` has no `tests` package on its path.
SETUP = Operator(name="bench")

GOAL_P95_MS = 150.0
PAGE_GOAL_P95_MS = 100.0  # request form, home, detail (issue 16)
DEADLINE_S = 1500  # one database's run, setup included
# Plan steps named SCAN that read no table: an FTS5 MATCH (a look-up in the text index) and
# the rows of a subquery (a co-routine, e.g. the ≤ 1,001 rows the asset list counts).
BOUNDED_SCAN = re.compile(r"VIRTUAL TABLE INDEX \d+:M|^SCAN \(?subquery")
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/kitei_bench"
SEARCH = "議員名簿"
WORDS = [
    "議員名簿", "会議録", "住民基本台帳", "契約書", "請求書", "予算書", "決算書", "起案文書",
    "人事記録", "給与台帳", "税務申告書", "選挙人名簿", "議事日程", "請願書", "陳情書",
    "委員会記録", "出勤簿", "旅費精算書", "物品台帳", "公印簿", "文書管理簿", "研修記録",
    "アクセスログ", "バックアップ媒体", "設計書", "運用手順書", "障害報告書", "入退室記録",
    "業務委託契約", "個人情報取扱台帳", "財産台帳", "補助金申請書", "広報原稿", "写真データ",
    "議案", "答弁書", "監査報告書", "情報公開請求", "苦情記録", "備品台帳",
]  # fmt: skip
DEPARTMENTS = [
    "総務課", "議事課", "調査課", "秘書課", "財政課", "税務課", "市民課", "福祉課",
    "子育て支援課", "健康増進課", "環境課", "産業振興課", "都市計画課", "建設課", "下水道課",
    "教育総務課", "生涯学習課", "会計課", "選挙管理委員会事務局", "情報政策課",
]  # fmt: skip
# Levels with the weights a register might have: most assets low, a few high.
CONFIDENTIALITY = [("1", 30), ("2", 40), ("3C", 15), ("3B", 10), ("3A", 5)]
INTEGRITY = [("1", 60), ("2", 40)]
AVAILABILITY = [("1", 70), ("2", 30)]
ZONES = ["my_number", "lgwan", "internet"]


def _parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--systems", type=int, default=2_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--no-analyze",
        dest="analyze",
        action="store_false",
        help="skip ANALYZE after filling (SQLite: kitei itself never runs it)",
    )
    parser.add_argument(
        "--sizes", default="", help="comma-separated register sizes, one run each (growth)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)  # internal: run one database
    return parser.parse_args(argv)


# ----------------------------------------------------------------------------- child side


def _fill(args: argparse.Namespace) -> dict[str, Any]:
    """Create the organisations and their registers; the ids the measurements need."""
    from django.db import connection, transaction  # noqa: PLC0415

    from kitei.core.services import create_organization  # noqa: PLC0415
    from kitei.core.tokens import create_api_token  # noqa: PLC0415
    from kitei.people.services import create_department, create_person  # noqa: PLC0415

    rng = random.Random(4)
    with transaction.atomic():
        org = create_organization(
            actor=SETUP, slug="bench", name="ベンチマーク市議会", pack="mito-city-council"
        )
        departments = [create_department(org, actor=SETUP, name=n) for n in DEPARTMENTS]
        member = create_person(
            org, actor=SETUP, name="鈴木 花子", username="bench_member", department=departments[0]
        )
        member.must_change_password = False
        member.save(update_fields=["must_change_password"])
        owners = [
            create_person(org, actor=SETUP, name=f"管理者{n:02d}", department=departments[n])
            for n in range(len(departments))
        ]
        _, token = create_api_token(member.user, actor=SETUP, name="bench")
        other = create_organization(
            actor=SETUP, slug="other", name="別の組織", pack="mito-city-council"
        )
        other_department = create_department(other, actor=SETUP, name="総務課")
    systems = _bulk_systems(org, departments, args.systems, rng)
    _bulk_assets(
        org, departments=departments, owners=owners, systems=systems, count=args.assets, rng=rng
    )
    _bulk_assets(
        other,
        departments=[other_department],
        owners=[],
        systems=[],
        count=min(args.assets, 2_000),
        rng=rng,
    )
    if args.analyze:
        with connection.cursor() as cursor:
            # What autovacuum does to a settled table (statistics, PostgreSQL's visibility map).
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "token": token,
        "user_id": member.user.pk,
        "department": departments[1].pk,
        "org_id": org.pk,
    }


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _bulk_systems(org: Any, departments: list[Any], count: int, rng: random.Random) -> list[Any]:
    from kitei.systems.models import Software, System  # noqa: PLC0415

    systems = [
        System(
            organization=org,
            name=f"{rng.choice(WORDS)}システム{n:05d}",
            department=rng.choice(departments),
            zone=ZONES[n % len(ZONES)],
            is_external_service=n % 7 == 0,
            availability=_weighted(rng, AVAILABILITY),
            planned_until=date(2030, 3, 31),
        )
        for n in range(count)
    ]
    System.objects.bulk_create(systems, batch_size=1_000)
    software = [
        Software(system=s, name=name, end_of_support=date(2024, 1, 1) + timedelta(days=n % 3000))
        for n, s in enumerate(systems)
        for name in ("OS", "DB")
    ]
    Software.objects.bulk_create(software, batch_size=2_000)
    return systems


def _bulk_assets(
    org: Any,
    *,
    departments: list[Any],
    owners: list[Any],
    systems: list[Any],
    count: int,
    rng: random.Random,
) -> None:
    from kitei.assets.models import Asset  # noqa: PLC0415

    forms = ["electronic", "electronic", "paper", "medium"]
    batch: list[Any] = []
    for n in range(count):
        batch.append(
            Asset(
                organization=org,
                name=f"令和{rng.randint(1, 8)}年度{rng.choice(WORDS)}{n:06d}",
                department=rng.choice(departments),
                owner=rng.choice(owners) if owners and n % 3 else None,
                classification={
                    "confidentiality": _weighted(rng, CONFIDENTIALITY),
                    "integrity": _weighted(rng, INTEGRITY),
                    "availability": _weighted(rng, AVAILABILITY),
                },
                form=forms[n % len(forms)],
                system=rng.choice(systems) if systems and n % 5 < 3 else None,
            )
        )
        if len(batch) == 5_000:
            Asset.objects.bulk_create(batch)
            batch = []
    Asset.objects.bulk_create(batch)


def _percentiles(samples: list[float]) -> dict[str, Any]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "n": len(samples),
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(cuts[94], 2),
        "p99_ms": round(cuts[98], 2),
        "goal_met": cuts[94] < GOAL_P95_MS,
    }


def _time(client: Any, url: str, args: argparse.Namespace, deadline: float) -> dict[str, Any]:
    """Warm up, then time `args.requests` GETs of the URL (each must answer 200)."""
    samples: list[float] = []
    for n in range(args.warmup + args.requests):
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        if n >= args.warmup:
            samples.append(elapsed)
    first = client.get(url)
    result = {"url": urllib.parse.unquote(url), **_percentiles(samples)}
    if first["Content-Type"].startswith("application/json"):
        result["count"] = first.json()["count"]
    return result


def _page(client: Any, url: str, args: argparse.Namespace, deadline: float) -> dict[str, Any]:
    """`_time` with the pages' goal (p95 under PAGE_GOAL_P95_MS)."""
    result = _time(client, url, args, deadline)
    result["goal_met"] = result["p95_ms"] < PAGE_GOAL_P95_MS
    return result


def _middle_asset(org_id: int) -> int:
    """An asset from the middle of the register (neither the first nor the last row)."""
    from kitei.assets.models import Asset  # noqa: PLC0415

    ids = Asset.objects.filter(organization_id=org_id).order_by("pk").values_list("pk", flat=True)
    return int(ids[ids.count() // 2])


def _list_middle(org_id: int) -> int:
    """The asset half-way down the list's own order (newest first), for `?after=`."""
    from kitei.assets.models import Asset  # noqa: PLC0415

    live = Asset.objects.filter(organization_id=org_id, disposed_at__isnull=True)
    ordered = live.order_by("-created_at", "-pk").values_list("pk", flat=True)
    return int(ordered[live.count() // 2])


def _plans(client: Any, url: str) -> dict[str, Any]:
    """The page's queries and, on SQLite, those whose plan reads a table without an index.

    EXPLAIN QUERY PLAN of every query the page makes: a `SCAN` step reads a whole table or
    a whole index (`SCAN t USING INDEX i`), a cost that grows with the table.
    """
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    scans = []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for query in captured.captured_queries:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                steps = [row[-1] for row in cursor.fetchall()]
                full = [st for st in steps if st.startswith("SCAN") and not BOUNDED_SCAN.search(st)]
                if full:
                    scans.append({"sql": sql[:2000], "plan": steps})
    return {"queries": len(captured.captured_queries), "full_scans": scans}


def child(args: argparse.Namespace) -> dict[str, Any]:
    """Migrate, fill, measure one database (this process's settings); the figures."""
    import django  # noqa: PLC0415 - configured by the environment the parent set

    django.setup()
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    deadline = time.monotonic() + DEADLINE_S
    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    ids = _fill(args)
    setup_s = time.perf_counter() - started
    page = Client()
    page.force_login(get_user_model().objects.get(pk=ids["user_id"]))
    api = Client(headers={"Authorization": f"Bearer {ids['token']}"})
    q = urllib.parse.quote(SEARCH)
    c3b = urllib.parse.quote("機密性")
    lists = {
        "asset_list_page": (page, "/assets/"),
        "asset_list_page_search": (page, f"/assets/?q={q}"),
        "asset_list_page_filter_search": (page, f"/assets/?confidentiality=3B&q={q}"),
        "api_assets": (api, "/api/assets"),
        "api_assets_search": (api, f"/api/assets?q={q}"),
        "api_assets_filter_search": (api, f"/api/assets?{c3b}=3B&q={q}"),
        "api_assets_department_filter_search": (
            api,
            f"/api/assets?department={ids['department']}&confidentiality=2&q={q}",
        ),
        "system_list_page_filter_search": (page, f"/systems/?zone=lgwan&q={q}"),
        "api_systems_filter_search": (api, f"/api/systems?zone=lgwan&q={q}"),
    }
    asset_id = _middle_asset(ids["org_id"])
    q2 = urllib.parse.quote(SEARCH[-2:])  # 名簿: 2 characters, the LIKE fallback
    lists.update(
        {
            "asset_list_page_last": (page, "/assets/?last=1"),
            "asset_list_page_middle": (page, f"/assets/?after={_list_middle(ids['org_id'])}"),
            "asset_list_page_search_2_characters": (page, f"/assets/?q={q2}"),
            "api_assets_search_2_characters": (api, f"/api/assets?q={q2}"),
            "request_chooser_search_2_characters": (page, f"/approvals/choose/asset/?asset_q={q2}"),
        }
    )
    pages = {
        "request_form_page": (page, "/approvals/new/"),
        "request_form_page_with_asset": (page, f"/approvals/new/?asset={asset_id}"),
        "request_chooser_search": (page, f"/approvals/choose/asset/?asset_q={q}"),
        "home_page": (page, "/"),
        "asset_detail_page": (page, f"/assets/{asset_id}/"),
    }
    return {
        "database": connection.vendor,
        "assets": args.assets,
        "systems": args.systems,
        "analyzed": args.analyze,
        "setup_s": round(setup_s, 1),
        "setup_note": (
            "setup rows (systems, software, assets) were bulk-created without ChangeRecords;"
            " the organisation, departments, people and token went through the services"
        ),
        "lists": {name: _time(c, url, args, deadline) for name, (c, url) in lists.items()},
        "pages": {name: _page(c, url, args, deadline) for name, (c, url) in pages.items()},
        "request_form_html_bytes": len(page.get("/approvals/new/").content),
        "query_plans": {
            name: _plans(c, url)
            for name, (c, url) in [*pages.items(), *lists.items()]
            if name in pages or name.startswith("asset_list_page")
        },
    }


# ---------------------------------------------------------------------------- parent side


def _pg_url() -> str:
    url = os.environ.get("KITEI_DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else PG_DEFAULT


def _recreate_pg(url: str) -> str | None:
    """Drop and create the benchmark's PostgreSQL database; None when unreachable."""
    try:
        import psycopg  # noqa: PLC0415
    except ImportError:
        return "psycopg is not installed"
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if "bench" not in name:  # never drop a database this benchmark did not make
        return f"refusing to recreate database '{name}' (its name must contain 'bench')"
    try:
        with psycopg.connect(url, dbname="postgres", connect_timeout=5, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}"')
            db.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        return f"PostgreSQL unreachable: {str(exc).strip()}"
    return None


def _run_child(args: argparse.Namespace, database: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kitei-register-bench-") as data_dir:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kitei.settings",
            "KITEI_DATA_DIR": data_dir,
            "KITEI_DEBUG": "0",
            "KITEI_SECRET_KEY": secrets.token_urlsafe(50),
            "KITEI_ALLOWED_HOSTS": "testserver",
        }
        env.pop("KITEI_DATABASE_URL", None)
        if database == "postgresql":
            env["KITEI_DATABASE_URL"] = _pg_url()
        argv = [sys.executable, __file__, "--child", database]
        argv += ["--assets", str(args.assets), "--systems", str(args.systems)]
        argv += ["--requests", str(args.requests), "--warmup", str(args.warmup)]
        argv += [] if args.analyze else ["--no-analyze"]
        done = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=DEADLINE_S + 300, check=False
        )
    if done.returncode != 0:
        return {"database": database, "error": done.stderr.strip().splitlines()[-5:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _growth(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per database: each list's and page's p95 at the largest size over the smallest."""
    growth: dict[str, Any] = {}
    for database in ("sqlite", "postgresql"):
        sized = [r for r in runs if r.get("database") == database and "lists" in r]
        if len(sized) < 2:
            continue
        small, large = min(sized, key=lambda r: r["assets"]), max(sized, key=lambda r: r["assets"])
        ratios = {
            name: round(figures["p95_ms"] / small[kind][name]["p95_ms"], 2)
            for kind in ("lists", "pages")
            for name, figures in large[kind].items()
            if small[kind].get(name, {}).get("p95_ms")
        }
        growth[database] = {"from": small["assets"], "to": large["assets"], "p95_ratio": ratios}
    return growth


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on each database (and size) and print its JSON."""
    args = _parse(argv)
    if args.child:
        print(json.dumps(child(args), ensure_ascii=False))
        return 0
    runs = []
    sizes = [int(n) for n in args.sizes.split(",") if n.strip()] or [args.assets]
    for size in sizes:
        args.assets = size
        if args.database in ("sqlite", "both"):
            runs.append(_run_child(args, "sqlite"))
        if args.database in ("postgresql", "both"):
            problem = _recreate_pg(_pg_url())
            runs.append(
                {"database": "postgresql", "skipped": problem}
                if problem
                else _run_child(args, "postgresql")
            )
    lists = [
        lst
        for run in runs
        for lst in [*run.get("lists", {}).values(), *run.get("pages", {}).values()]
    ]
    figures = {
        "benchmark": "register lists",
        "goal_p95_ms": GOAL_P95_MS,
        "page_goal_p95_ms": PAGE_GOAL_P95_MS,
        "all_goals_met": bool(lists) and all(lst["goal_met"] for lst in lists),
        "runs": runs,
        "growth": _growth(runs),
        "load_average": os.getloadavg(),
        "client": "django.test.Client in process, one request at a time, DEBUG off",
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    return 0 if all("error" not in run for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
