"""`kitei backup` keeps evidence files beside the data; `kitei restore` puts them back, verified."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kitei.cli import main
from kitei.core.evidence import attach_evidence

from ..conftest import PDF, upload
from .test_backup import _backup_path, _kitei, empty_database, live_database  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)  # a backup sees committed data only
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.fixture
def attached(live_database: None, request: pytest.FixtureRequest, evidence_dir: Path) -> Any:  # noqa: F811 - the imported fixture
    """Two evidence files on a 廃棄記録 entry of mito, in the live database."""
    mito, sato, disposal = map(request.getfixturevalue, ("mito", "sato", "disposal"))
    return [
        attach_evidence(
            mito, actor=sato.user, obj=disposal, upload=upload(name, content),
            evidence_date=date(2026, 11, 20),
        )
        for name, content in (("消去証明書.pdf", PDF), ("現場写真.png", PNG))
    ]  # fmt: skip


def _restore(path: Path, tmp_path: Path) -> Any:
    """Restore into a new, migrated database with an empty evidence folder of its own."""
    shutil.rmtree(tmp_path / "restored" / "evidence", ignore_errors=True)
    with empty_database(tmp_path, migrated=True) as url:
        return _kitei(["restore", str(path)], url, tmp_path)


def test_a_backup_restores_its_evidence_files_verified(
    attached: list[Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _backup_path(tmp_path)
    assert main(["backup", str(path)]) == 0
    assert "2 evidence files" in capsys.readouterr().out
    manifest = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
    assert manifest["evidence"] == {"files": 2, "bytes": len(PDF) + len(PNG), "problems": []}
    folder = path.with_name(path.name + ".evidence")
    assert (folder / attached[0].file.name).read_bytes() == PDF
    assert (folder.stat().st_mode & 0o777) == 0o700
    assert ((folder / attached[0].file.name).stat().st_mode & 0o777) == 0o600
    done = _restore(path, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "ok      evidence files match the database (2 files)" in done.stdout
    restored = tmp_path / "restored" / "evidence"
    assert (restored / attached[0].file.name).read_bytes() == PDF
    assert (restored / attached[1].file.name).read_bytes() == PNG


def test_an_altered_or_missing_evidence_file_fails_the_restore_naming_it(
    attached: list[Any], tmp_path: Path
) -> None:
    path = _backup_path(tmp_path)
    assert main(["backup", str(path)]) == 0
    copy = path.with_name(path.name + ".evidence") / attached[0].file.name
    copy.write_bytes(PDF.replace(b"Catalog", b"Catalag"))
    done = _restore(path, tmp_path)
    assert done.returncode == 1
    [line] = [line for line in done.stderr.splitlines() if "FAILED" in line]
    assert f"evidence file #{attached[0].pk} '消去証明書.pdf'" in line
    assert "was altered in the backup" in line
    assert "the restore is NOT verified" in done.stderr
    copy.unlink()
    done = _restore(path, tmp_path)
    assert done.returncode == 1
    assert f"#{attached[0].pk} '消去証明書.pdf' ({attached[0].file.name}) is missing" in done.stderr


def test_a_backup_of_an_altered_file_warns_and_keeps_it_as_it_is(
    attached: list[Any], tmp_path: Path, evidence_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (evidence_dir / attached[1].file.name).write_bytes(PNG + b"!")
    path = _backup_path(tmp_path)
    assert main(["backup", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"evidence file #{attached[1].pk} '現場写真.png'" in err
    assert "was altered in the evidence storage" in err
    manifest = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
    assert len(manifest["evidence"]["problems"]) == 1
    done = _restore(path, tmp_path)
    assert done.returncode == 1
    assert "'現場写真.png'" in done.stderr
