"""kitei.policy stays pure Python: importing it must not import Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import kitei.policy


def test_policy_package_imports_no_django() -> None:
    code = (
        "import sys, kitei.policy, kitei.policy.cli, kitei.policy.report, kitei.policy.quotes;"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'));"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_no_django_import_statement_in_policy_sources() -> None:
    root = Path(kitei.policy.__file__).parent
    offenders = [
        str(p)
        for p in root.rglob("*.py")
        if any(
            line.lstrip().startswith(("import django", "from django"))
            for line in p.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert offenders == []
