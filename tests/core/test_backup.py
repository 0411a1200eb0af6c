"""`kitei backup` and `kitei restore`: a snapshot taken while writers run restores table for table.

Restores run as the operator runs them: `kitei restore` in a process of its own, pointed
at a second, empty database by KITEI_DATABASE_URL (on PostgreSQL a database created for
the test and dropped after it). The restored database is then read beside the source
through a second connection alias.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import dj_database_url
import psycopg
import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.db import connection, connections, transaction
from django.db.utils import load_backend
from django.test import Client

from kitei.assets.choices import AssetAuditAction
from kitei.assets.models import Asset
from kitei.assets.services import register_asset, set_medium_contents
from kitei.cli import main
from kitei.core import guards
from kitei.core.models import ChangeRecord, Organization
from kitei.core.services import record_change
from kitei.systems.services import add_software, register_system
from tests.conftest import SETUP

pytestmark = pytest.mark.django_db(transaction=True)  # a backup sees committed data only
CLASS = {"機密性": "機密性3B", "完全性": "2", "可用性": "1"}


@pytest.fixture
def live_database(db: None, tmp_path: Path) -> Iterator[None]:
    """On SQLite, point the default database at a WAL file of its own for the test.

    pytest-django keeps SQLite's test database in memory, where there is no WAL and no
    second connection; kitei backs up a file while other connections write to it.
    """
    if connection.vendor != "sqlite":
        yield
        return
    memory, saved = connections["default"], connections.settings["default"]
    path = tmp_path / "live.sqlite3"
    memory.ensure_connection()
    with closing(sqlite3.connect(path)) as file:
        memory.connection.backup(file)  # the migrated schema and its content types
    connections.settings["default"] = {**saved, "NAME": str(path)}
    connections["default"] = connections.create_connection("default")
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"  # as kitei's settings make it
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = saved
        connections["default"] = memory


@pytest.fixture
def registers(live_database: None, request: pytest.FixtureRequest) -> Any:
    """Both registers filled a little, a TOTP authenticator, a session, two organisations."""
    # The cast comes after live_database, so on SQLite it lives in the WAL file.
    mito, somu, sato = map(request.getfixturevalue, ("mito", "somu", "sato"))
    request.getfixturevalue("suzuki")
    request.getfixturevalue("tanaka")  # with a TOTP authenticator
    request.getfixturevalue("yamada")  # of a second organisation
    system = register_system(
        mito, actor=SETUP, name="議会情報システム", department=somu, zone="lgwan"
    )
    add_software(system, actor=SETUP, name="OS", end_of_support=date(2029, 1, 9))
    roll = register_asset(
        mito,
        actor=sato.user,
        name="議員名簿",
        department=somu,
        form="electronic",
        classification=CLASS,
        system=system,
    )
    register_asset(
        mito,
        actor=sato.user,
        name="議員名簿（写し）",
        department=somu,
        form="paper",
        copy_of=roll,
    )
    medium = register_asset(
        mito, actor=sato.user, name="USBメモリ1", department=somu, form="medium", unclear=True
    )
    set_medium_contents(medium, actor=sato.user, contents=[roll])
    Client().force_login(sato.user)  # a row in django_session
    return mito


def _backup_path(tmp_path: Path) -> Path:
    suffix = "sqlite3" if connection.vendor == "sqlite" else "dump"
    return tmp_path / "backups" / f"kitei-backup.{suffix}"


def _manifest(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8")))


def _kitei(args: list[str], url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run the kitei command in a process of its own against the database at `url`."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kitei.settings",
        "KITEI_DEBUG": "1",
        "KITEI_DATABASE_URL": url,
        "KITEI_DATA_DIR": str(tmp_path / "restored"),
    }
    return subprocess.run(
        [sys.executable, "-m", "kitei", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,  # a hang guard, not a timing assertion
    )


def _pg_admin(sql: str) -> None:
    source = connection.settings_dict
    with psycopg.connect(
        host=source["HOST"] or None,
        port=source["PORT"] or None,
        user=source["USER"] or None,
        password=source["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(sql)  # a name cannot be a parameter


def _url(name: str) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    source = connection.settings_dict
    auth = quote(source["USER"] or "", safe="")
    if source["PASSWORD"]:
        auth += ":" + quote(source["PASSWORD"], safe="")
    port = f":{source['PORT']}" if source["PORT"] else ""
    return f"postgres://{auth}@{source['HOST'] or ''}{port}/{name}"


@contextmanager
def empty_database(tmp_path: Path, *, migrated: bool) -> Iterator[str]:
    """A second, empty database (after `kitei migrate` when asked); yields its URL."""
    if connection.vendor == "sqlite":
        name = str(tmp_path / "restored" / f"{uuid.uuid4().hex[:8]}.sqlite3")
    else:
        name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
        _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        if migrated:
            done = _kitei(["migrate"], _url(name), tmp_path)
            assert done.returncode == 0, done.stderr
        yield _url(name)
    finally:
        if connection.vendor == "postgresql":
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def opened(url: str) -> Iterator[str]:
    """The database at `url` as a second connection alias of this process, for reading."""
    alias = "restored"
    database = {**connection.settings_dict, "NAME": dj_database_url.parse(url)["NAME"]}
    # Not added to settings.DATABASES: Django's test case lets such a connection be.
    connections[alias] = load_backend(database["ENGINE"]).DatabaseWrapper(database, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]


def _tables(alias: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every model's table (kitei, auth, allauth, sessions …), in key order."""
    return {
        model._meta.db_table: list(model._base_manager.using(alias).order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
    }


def _migrations(alias: str) -> list[tuple[Any, ...]]:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT app, name, applied FROM django_migrations ORDER BY id")
        return list(cursor.fetchall())


def test_a_restored_backup_equals_the_database_row_by_row(registers: Any, tmp_path: Path) -> None:
    path = _backup_path(tmp_path)
    assert main(["backup", str(path)]) == 0
    manifest = _manifest(path)
    source = _tables("default")
    with connection.cursor() as cursor:
        table_names = sorted(connection.introspection.table_names(cursor))
    assert sorted(manifest["tables"]) == table_names
    for table, rows in source.items():
        assert manifest["tables"][table] == len(rows), table
    assert manifest["vendor"] == connection.vendor
    assert [c["organization"] for c in manifest["audit_chains"]] == ["mito", "toyama"]

    with empty_database(tmp_path, migrated=True) as url:
        done = _kitei(["restore", str(path)], url, tmp_path)
        assert done.returncode == 0, done.stderr
        assert "audit chain holds" in done.stdout
        assert "the restore is verified" in done.stdout
        with opened(url) as alias:
            restored = _tables(alias)
            with connections[alias].cursor() as cursor:
                assert sorted(connections[alias].introspection.table_names(cursor)) == table_names
            assert _migrations(alias) == _migrations("default")
            assert guards.absent(alias) == []  # the audit guards came back with the tables
            # Keys carry on after the restored ones (PostgreSQL's sequences came back too).
            newcomer = User.objects.db_manager(alias).create_user("after-restore")
    assert restored.keys() == source.keys()
    for table, rows in source.items():
        assert restored[table] == rows, table
    for table in ("assets_asset", "assets_asset_contents", "mfa_authenticator", "django_session"):
        assert source[table], f"{table} should hold rows for this test to mean anything"
    assert newcomer.pk > max(row["id"] for row in source["auth_user"])


def _alter_record(path: Path, organization: Organization, seq: int, tmp_path: Path) -> None:
    """Alter one ChangeRecord inside the backup file, as someone with access to it could."""
    sql = "UPDATE core_changerecord SET after = %s WHERE organization_id = %s AND seq = %s"
    params = ['{"name":"改ざん"}', organization.pk, seq]
    if connection.vendor == "sqlite":
        with closing(sqlite3.connect(path)) as backup, backup:
            for statement in guards.drop_statements("sqlite"):  # as the file's owner could
                backup.execute(statement)
            backup.execute(sql.replace("%s", "?"), params)
            for statement in guards.create_statements("sqlite"):
                backup.execute(statement)
        return
    # A custom-format dump is compressed: load it, alter the row, dump it again in its place.
    with empty_database(tmp_path, migrated=False) as url:
        assert _kitei(["restore", str(path)], url, tmp_path).returncode == 0
        with psycopg.connect(url, autocommit=True) as scratch:
            scratch.execute("ALTER TABLE core_changerecord DISABLE TRIGGER USER")
            scratch.execute(sql, params)
        altered = tmp_path / "altered.dump"
        assert _kitei(["backup", str(altered)], url, tmp_path).returncode == 0
    shutil.copyfile(altered, path)  # the original manifest stays beside it


def test_a_tampered_backup_fails_restore_naming_the_record(registers: Any, tmp_path: Path) -> None:
    path = _backup_path(tmp_path)
    assert main(["backup", str(path)]) == 0
    _alter_record(path, registers, 3, tmp_path)
    with empty_database(tmp_path, migrated=False) as url:
        done = _kitei(["restore", str(path)], url, tmp_path)
    assert done.returncode == 1
    assert f"audit chain broken: organization {registers.pk}: record #3 was altered" in done.stderr
    assert "the backup file differs from its manifest" in done.stderr
    assert "the restore is NOT verified" in done.stderr
    assert "row counts match the manifest" in done.stdout  # the rows are all there, one altered


def test_restore_refuses_a_database_holding_data(
    registers: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _backup_path(tmp_path)
    assert main(["backup", str(path)]) == 0
    capsys.readouterr()
    records, assets = ChangeRecord.objects.count(), Asset.objects.count()
    assert main(["restore", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "already holds kitei data (assets_asset" in err
    assert "restore needs an empty database" in err
    assert (ChangeRecord.objects.count(), Asset.objects.count()) == (records, assets)


def test_backup_never_overwrites_and_restore_needs_the_manifest(
    registers: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _backup_path(tmp_path)
    assert main(["backup", str(path)]) == 0
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # personal data, password hashes
    written = path.read_bytes()
    capsys.readouterr()
    assert main(["backup", str(path)]) == 2
    assert "already exists; choose another name" in capsys.readouterr().err
    assert path.read_bytes() == written
    manifest_file = path.with_name(path.name + ".json")
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    manifest_file.write_text(json.dumps({**_manifest(path), "vendor": other}), encoding="utf-8")
    assert main(["restore", str(path)]) == 2
    assert f"is a {other} backup; the configured database is" in capsys.readouterr().err
    manifest_file.unlink()
    with empty_database(tmp_path, migrated=False) as url:
        done = _kitei(["restore", str(path)], url, tmp_path)
    assert done.returncode == 2
    assert f"no manifest {path}.json beside the backup" in done.stderr


class _Writer(threading.Thread):
    """Appends ChangeRecords to one organisation's chain, a transaction each, until stopped."""

    def __init__(self, organization: Organization) -> None:
        super().__init__(name="kitei-test-writer", daemon=True)
        self.organization_id = organization.pk
        self.written = 0
        self.error: BaseException | None = None
        self.halt = threading.Event()
        self.progress = threading.Condition()

    def run(self) -> None:
        try:
            organization = Organization.objects.get(pk=self.organization_id)
            while not self.halt.is_set():
                with transaction.atomic():
                    record_change(
                        organization,
                        actor=SETUP,
                        action=AssetAuditAction.UPDATE_ASSET,
                        object_type="test",
                        object_id=str(self.written),
                    )
                with self.progress:
                    self.written += 1
                    self.progress.notify_all()
        except BaseException as exc:  # handed to the test's thread
            self.error = exc
            with self.progress:
                self.progress.notify_all()
        finally:
            connections.close_all()

    def wait_for(self, count: int) -> None:
        with self.progress:
            reached = self.progress.wait_for(
                lambda: self.written >= count or self.error is not None, timeout=300
            )
        if self.error is not None:
            raise self.error
        assert reached, "the writer stalled"

    def finish(self) -> None:
        self.halt.set()
        self.join()
        if self.error is not None:
            raise self.error


def test_a_backup_during_writes_holds_one_point_in_time(
    live_database: None, mito: Any, tmp_path: Path
) -> None:
    path = _backup_path(tmp_path)
    writer = _Writer(mito)
    writer.start()
    try:
        writer.wait_for(50)
        assert main(["backup", str(path)]) == 0
        writer.wait_for(writer.written + 50)  # the writer outlives the backup
    finally:
        writer.finish()
    (head,) = _manifest(path)["audit_chains"]
    source = list(ChangeRecord.objects.order_by("seq").values())
    assert 50 < head["seq"] < len(source)

    with empty_database(tmp_path, migrated=False) as url:
        done = _kitei(["restore", str(path)], url, tmp_path)
        assert done.returncode == 0, done.stderr
        with opened(url) as alias:
            restored = list(ChangeRecord.objects.using(alias).order_by("seq").values())
            organization = Organization.objects.using(alias).get()
    # Exactly the chain up to the manifest's head: no record half there, none from later.
    assert restored == source[: head["seq"]]
    assert (organization.chain_seq, organization.chain_head) == (head["seq"], head["head"])
