"""Benchmark: import 100,000 情報資産台帳 rows from .xlsx, and export them again.

On a fresh SQLite database in a temporary directory (migrated here), with production
settings (DEBUG off, a throw-away secret key), one organisation on the mito pack gets 30
departments, 60 people and 40 systems. The .xlsx is written by the register's own export
writer (`kitei.core.tabular.write_xlsx`, as 「Excelで書き出す」 makes it: inline strings,
the slowest kind for openpyxl to read). Then, timed:

- `check`: `read_assets` (openpyxl read-only, every row checked; writes nothing);
- `import`: `import_assets` on the same bytes (check again, then `bulk_register_assets`
  in one transaction: 100,000 assets and 100,000 ChangeRecords);
- `verify`: `verify_audit_chain` of the organisation;
- `export`: `export_assets` to .xlsx and to CSV.

Prints one JSON object; `import_s` is the figure of issue 4 (goal: under 60 s). With
KITEI_DATABASE_URL set to PostgreSQL (a database you may fill), it runs there instead.

    python bench/import_bench.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import sys
import tempfile
import time
from typing import Any

from tests.conftest import SETUP

GOAL_S = 60.0
AXES = (("機密性", ("1", "2", "3C", "3B", "3A")), ("完全性", ("1", "2")), ("可用性", ("1", "2")))
FORMS = ("電磁的記録", "紙", "記録媒体")
DISCLOSURES = ("公開", "一部公開", "非公開", "未定")


def _rows(count: int, departments: list[str], people: list[str], systems: list[str]) -> Any:
    """Register rows as a municipality's file has them (levels as titles, some blanks)."""
    rnd = random.Random(4)
    for i in range(count):
        yield [
            f"情報資産{i:06d} 住民記録関係文書",
            "業務で作成・取得した文書" if i % 3 else "",
            departments[i % len(departments)],
            people[i % len(people)] if i % 4 else "",
            *(f"{title}{rnd.choice(levels)}" for title, levels in AXES),
            FORMS[i % 3],
            "庁舎3階書庫" if i % 2 else "サーバ室",
            systems[i % len(systems)] if i % 5 == 0 else "",
            "5年",
            DISCLOSURES[i % 4],
        ]


def _setup(org: Any) -> tuple[list[str], list[str], list[str]]:
    from kitei.people.services import create_department, create_person  # noqa: PLC0415
    from kitei.systems.services import register_system  # noqa: PLC0415

    departments = [create_department(org, actor=SETUP, name=f"第{i:02d}課") for i in range(30)]
    people = [
        create_person(org, actor=SETUP, name=f"職員 {i:03d}", department=departments[i % 30])
        for i in range(60)
    ]
    systems = [
        register_system(
            org, actor=SETUP, name=f"業務システム{i:02d}", department=departments[i % 30]
        )
        for i in range(40)
    ]
    return [d.name for d in departments], [p.name for p in people], [s.name for s in systems]


CPU: dict[str, float] = {}


def _timed(fn: Any, name: str = "") -> tuple[Any, float]:
    """The result, and the wall-clock seconds; CPU seconds of this process go to CPU[name]."""
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    CPU[name] = round(time.process_time() - cpu, 2)
    return result, round(time.perf_counter() - started, 2)


def run(rows: int) -> dict[str, Any]:
    """Set Django up, migrate, build the file, time check/import/verify/export."""
    import django  # noqa: PLC0415 - settings come from the environment set up in main

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    from kitei.assets.models import Asset  # noqa: PLC0415
    from kitei.assets.transfer import export_assets, import_assets, read_assets  # noqa: PLC0415
    from kitei.core import tabular  # noqa: PLC0415
    from kitei.core.services import create_organization, verify_audit_chain  # noqa: PLC0415

    call_command("migrate", interactive=False, verbosity=0)
    org = create_organization(
        actor=SETUP, slug="bench", name="ベンチマーク市", pack="mito-city-council"
    )
    names = _setup(org)
    headings = [
        "名称",
        "説明",
        "所管部署",
        "管理責任者",
        *(t for t, _l in AXES),
        "形態",
        "保管場所",
    ]
    headings += ["関連システム", "保存期間", "公開区分"]
    sheet = tabular.Sheet(
        title="情報資産台帳", headings=headings, rows=_rows(rows, *names), count=rows
    )
    data, write_s = _timed(lambda: tabular.write_xlsx([sheet]), "make_file")
    plan, check_s = _timed(lambda: read_assets(org, data), "check")
    assert plan.ok, plan.errors[:5]
    plan, import_s = _timed(lambda: import_assets(org, data, actor=SETUP), "import")
    assert plan.ok
    assert Asset.objects.filter(organization=org).count() == rows
    verification, verify_s = _timed(lambda: verify_audit_chain(org), "verify")
    xlsx, export_s = _timed(lambda: export_assets(org, fmt="xlsx"), "export_xlsx")
    csv, export_csv_s = _timed(lambda: export_assets(org, fmt="csv"), "export_csv")
    return {
        "database": connection.vendor,
        "rows": rows,
        "xlsx_bytes": len(data),
        "make_file_s": write_s,
        "check_s": check_s,
        "import_s": import_s,
        "import_goal_s": GOAL_S,
        "import_rows_per_s": round(rows / import_s),
        "chain_ok": verification.ok,
        "verify_s": verify_s,
        "export_xlsx_s": export_s,
        "export_xlsx_bytes": len(xlsx),
        "export_csv_s": export_csv_s,
        "export_csv_bytes": len(csv),
        "cpu_s": CPU,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    with tempfile.TemporaryDirectory(prefix="kitei-import-bench-") as data_dir:
        os.environ["KITEI_DATA_DIR"] = data_dir
        os.environ.setdefault("KITEI_SECRET_KEY", secrets.token_urlsafe(32))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kitei.settings")
        os.environ.pop("KITEI_DEBUG", None)  # the query log would slow the import
        result = run(args.rows)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["chain_ok"] and result["import_s"] < GOAL_S else 1


if __name__ == "__main__":
    sys.exit(main())
