"""Backup and restore: a consistent snapshot of the live database, and a verified restore.

A backup is two files: PATH, the data, and PATH.json, its manifest (kitei version,
database, the data file's SHA-256, every table's row count, every organisation's audit
chain head), and the folder PATH.evidence holding the evidence files the data names
(`kitei.core.evidence_backup`). The manifest is taken from the very snapshot the data holds:

- SQLite: the online backup API copies the live WAL database in one step, that is in one
  read transaction, so the copy is one point in time while writers carry on in the WAL;
  the counts are read from the copy. PATH is a self-contained SQLite file.
- PostgreSQL: this process opens a REPEATABLE READ transaction, exports its snapshot and
  has `pg_dump --format=custom` read that same snapshot, then counts within it.

Restore goes only into a database without kitei data, then checks the copy against the
manifest, verifies the audit chain and every evidence file's SHA-256; any difference fails
the restore (exit 1).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterable
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from kitei import __version__
from kitei.core import evidence_backup, textsearch
from kitei.core.models import Organization
from kitei.core.services import verify_audit_chain

FORMAT = "kitei-backup/1"


class BackupError(Exception):
    """A refusal or a missing prerequisite, told to the operator in one line (exit 2)."""


@dataclass(frozen=True, kw_only=True)
class ChainHead:
    """An organisation's audit chain as the backup holds it: its length and last hash."""

    organization: str
    id: int
    seq: int
    head: str


@dataclass(frozen=True, kw_only=True)
class Manifest:
    """What a backup holds, written beside it as PATH.json and checked by restore."""

    kitei_version: str
    created_at: str
    vendor: str
    server_version: str
    tool: str
    file_bytes: int
    file_sha256: str
    tables: dict[str, int]
    audit_chains: tuple[ChainHead, ...]
    # The evidence files in PATH.evidence: {"files", "bytes", "problems"} (older backups: {}).
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """The manifest as the JSON text of PATH.json."""
        data = {"format": FORMAT, **asdict(self)}
        data["file"] = {"bytes": data.pop("file_bytes"), "sha256": data.pop("file_sha256")}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Read PATH.json; a manifest of another format is refused."""
        data = json.loads(text)
        if data.pop("format", None) != FORMAT:
            raise ValueError(f"not a {FORMAT} manifest")
        file = data.pop("file")
        chains = tuple(ChainHead(**c) for c in data.pop("audit_chains"))
        return cls(
            **data, file_bytes=file["bytes"], file_sha256=file["sha256"], audit_chains=chains
        )


@dataclass(frozen=True, kw_only=True)
class _Snapshot:
    """What a backup read from its snapshot, besides the data itself."""

    tables: dict[str, int]
    audit_chains: tuple[ChainHead, ...]
    server_version: str
    tool: str
    evidence: tuple[evidence_backup.Row, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Check:
    """One check of a restored database against its backup: what, and the problem if any."""

    what: str
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def manifest_path(path: Path) -> Path:
    """Where a backup's manifest lives: beside it, named PATH.json."""
    return path.with_name(path.name + ".json")


def backup_database(path: Path) -> Manifest:
    """Write a consistent snapshot of the configured database to PATH, its manifest beside it."""
    manifest_file = manifest_path(path)
    for existing in (path, manifest_file, evidence_backup.folder_of(path)):
        if existing.exists():
            raise BackupError(f"{existing} already exists; choose another name")
    if Organization._meta.db_table not in connection.introspection.table_names():
        raise BackupError(f"{_target()} holds no kitei database: nothing to back up")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)  # left behind by a backup that was cut short
    _create_private(partial)
    try:
        if connection.vendor == "sqlite":
            snapshot = _backup_sqlite(partial)
        elif connection.vendor == "postgresql":
            snapshot = _backup_postgresql(partial)
        else:
            raise BackupError(f"backup supports SQLite and PostgreSQL, not {connection.vendor}")
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    copied = evidence_backup.copy_beside(snapshot.evidence, path)
    manifest = Manifest(
        kitei_version=__version__,
        created_at=timezone.localtime().isoformat(timespec="seconds"),
        vendor=connection.vendor,
        server_version=snapshot.server_version,
        tool=snapshot.tool,
        file_bytes=path.stat().st_size,
        file_sha256=_sha256(path),
        tables=snapshot.tables,
        audit_chains=snapshot.audit_chains,
        evidence={"files": copied.files, "bytes": copied.bytes, "problems": list(copied.problems)},
    )
    _create_private(manifest_file).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def _create_private(path: Path) -> Path:
    """Create an empty file only its owner reads: backups hold personal data and passwords."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


def _backup_sqlite(target: Path) -> _Snapshot:
    connection.ensure_connection()
    with closing(sqlite3.connect(target)) as copy:
        # pages=-1: the whole copy in one step, so in one read transaction of the source.
        connection.connection.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside
        with closing(copy.cursor()) as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite^_%' ESCAPE '^' ORDER BY name"
            )
            tables = [name for (name,) in cursor.fetchall()]
            return _Snapshot(
                tables=_count_rows(cursor, tables),
                audit_chains=_chain_heads(cursor),
                evidence=evidence_backup.snapshot_rows(cursor, tables),
                server_version=sqlite3.sqlite_version,
                tool="sqlite3 online backup API",
            )


def _backup_postgresql(target: Path) -> _Snapshot:
    pg_dump = _tool("pg_dump")
    tool_version = _tool_version(pg_dump)
    if not connection.get_autocommit():
        raise RuntimeError("a backup runs outside any transaction")
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        server = int(cursor.fetchone()[0])
        server_version = f"{server // 10000}.{server % 10000}"
        if tool_version[0] < server // 10000:
            raise BackupError(
                f"{pg_dump} is version {tool_version[0]}, older than the PostgreSQL "
                f"{server_version} server: install postgresql-client-{server // 10000}"
            )
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            # pg_dump reads the snapshot this transaction holds: the counts below are its.
            args = ["--format=custom", f"--snapshot={snapshot}", f"--file={target}"]
            _run([pg_dump, *args], _pg_env())
            tables = _count_rows(cursor, connection.introspection.table_names(cursor))
            chains = _chain_heads(cursor)
            evidence = evidence_backup.snapshot_rows(cursor, tables)
        finally:
            cursor.execute("COMMIT")
    version = ".".join(map(str, tool_version))
    return _Snapshot(
        tables=tables,
        audit_chains=chains,
        server_version=server_version,
        tool=f"pg_dump {version} --format=custom",
        evidence=evidence,
    )


def _count_rows(cursor: Any, tables: Iterable[str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _chain_heads(cursor: Any) -> tuple[ChainHead, ...]:
    cursor.execute(
        f'SELECT id, slug, chain_seq, chain_head FROM "{Organization._meta.db_table}" ORDER BY id'
    )
    return tuple(
        ChainHead(organization=slug, id=int(pk), seq=int(seq), head=head)
        for pk, slug, seq, head in cursor.fetchall()
    )


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not on PATH: install postgresql-client (apt-get)")
    return found


def _tool_version(binary: str) -> tuple[int, ...]:
    output = _run([binary, "--version"], None)
    match = re.search(r"\)\s+(\d+)(?:\.(\d+))?", output)
    if match is None:
        raise BackupError(f"cannot tell the version of {binary} from {output.strip()!r}")
    return tuple(int(part) for part in match.groups() if part is not None)


def _run(args: list[str], env: dict[str, str] | None) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()] or ["no message"]
        raise BackupError(f"{Path(args[0]).name} failed: {lines[-1].strip()}")
    return done.stdout


def _pg_env() -> dict[str, str]:
    """libpq's environment for the configured database: no password on a command line."""
    from django.db.backends.postgresql.client import DatabaseClient  # noqa: PLC0415

    database = connection.settings_dict
    _, client_env = DatabaseClient.settings_to_cmd_args_env(database, [])
    env = {**os.environ, **(client_env or {})}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if database.get(key):
            env[variable] = str(database[key])
    env["PGDATABASE"] = str(database["NAME"])
    return env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(path: Path) -> Manifest:
    """The manifest of the backup at PATH; a missing or unreadable one is refused."""
    manifest_file = manifest_path(path)
    if not path.is_file():
        raise BackupError(f"no backup file {path}")
    if not manifest_file.is_file():
        raise BackupError(f"no manifest {manifest_file} beside the backup")
    try:
        return Manifest.from_json(manifest_file.read_text(encoding="utf-8"))
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{manifest_file} is not a kitei backup manifest ({exc})") from None


def tables_with_data() -> list[str]:
    """Tables of the configured database holding rows other than those migrate writes."""
    # `kitei migrate` (and `kitei serve`, which migrates first) fills these by itself.
    migrate_made = {
        MigrationRecorder.Migration._meta.db_table,
        ContentType._meta.db_table,
        Permission._meta.db_table,
    }
    found = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table not in migrate_made and not textsearch.derived(table):
                cursor.execute(f'SELECT 1 FROM "{table}" LIMIT 1')
                if cursor.fetchone() is not None:
                    found.append(table)
    return found


def restore_database(path: Path) -> tuple[Manifest, list[Check]]:
    """Restore the backup at PATH into the configured database (it must hold no kitei data).

    Then check the restored database against the backup's manifest and verify its audit
    chain; the checks are returned, the caller decides what a failed one means.
    """
    manifest = read_manifest(path)
    if manifest.vendor != connection.vendor:
        raise BackupError(
            f"{path} is a {manifest.vendor} backup; the configured database is {connection.vendor}"
        )
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)  # as `kitei migrate` does
    occupied = tables_with_data()
    if occupied:
        shown = ", ".join(occupied[:3]) + (", …" if len(occupied) > 3 else "")
        raise BackupError(
            f"the configured database already holds kitei data ({shown}); "
            "restore needs an empty database"
        )
    digest = _sha256(path)
    if connection.vendor == "sqlite":
        _restore_sqlite(path)
    else:
        _restore_postgresql(path)
    connection.close()
    return manifest, [*_checks(manifest, digest), *_evidence_checks(path)]


def _restore_sqlite(path: Path) -> None:
    connection.ensure_connection()
    source_uri = path.resolve().as_uri() + "?mode=ro"
    with closing(sqlite3.connect(source_uri, uri=True)) as source:
        # Every page of the target is replaced, the empty tables migrate made included.
        source.backup(connection.connection, pages=-1)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=wal")


def _restore_postgresql(path: Path) -> None:
    pg_restore = _tool("pg_restore")
    connection.close()
    # One transaction: a restore either completes or leaves the database as it was. --clean
    # drops only what the backup recreates: the empty tables `kitei migrate` may have made.
    args = ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"]
    args += ["--clean", "--if-exists", f"--dbname={connection.settings_dict['NAME']}"]
    _run([pg_restore, *args, str(path)], _pg_env())


def _checks(manifest: Manifest, digest: str) -> list[Check]:
    """The restored database against the manifest, then its audit chain."""
    with connection.cursor() as cursor:
        tables = _count_rows(cursor, connection.introspection.table_names(cursor))
        chains = _chain_heads(cursor)
    rows = sum(manifest.tables.values())
    checks = [
        Check(
            what="backup file matches its manifest (SHA-256)",
            problem=None
            if digest == manifest.file_sha256
            else "the backup file differs from its manifest: changed since the backup was taken",
        ),
        Check(
            what=f"row counts match the manifest ({len(tables)} tables, {rows} rows)",
            problem=_count_problem(manifest.tables, tables),
        ),
        Check(
            what=f"audit chain heads match the manifest ({len(chains)} organisations)",
            problem=_head_problem(manifest.audit_chains, chains),
        ),
    ]
    verification = verify_audit_chain()
    checks.append(
        Check(
            what=f"audit chain holds ({verification.checked} records)",
            problem=None if verification.ok else f"audit chain broken: {verification.problem}",
        )
    )
    return checks


def _evidence_checks(path: Path) -> list[Check]:
    """The backup's evidence files put back into the storage, each against the database."""
    count, problems = evidence_backup.restore_evidence(evidence_backup.folder_of(path))
    if not problems:
        return [Check(what=f"evidence files match the database ({count} files)", problem=None)]
    return [Check(what="evidence file", problem=problem) for problem in problems]


def _count_problem(expected: dict[str, int], restored: dict[str, int]) -> str | None:
    differences = [
        f"{table}: {expected.get(table, 'no table')} in the manifest, "
        f"{restored.get(table, 'no table')} restored"
        for table in sorted(expected.keys() | restored.keys())
        if expected.get(table) != restored.get(table)
    ]
    return "row counts differ: " + "; ".join(differences) if differences else None


def _head_problem(expected: tuple[ChainHead, ...], restored: tuple[ChainHead, ...]) -> str | None:
    want = {c.id: c for c in expected}
    have = {c.id: c for c in restored}
    for org_id in sorted(want.keys() | have.keys()):
        if want.get(org_id) != have.get(org_id):
            chain = want.get(org_id) or have[org_id]
            return f"audit chain head of {chain.organization} differs from the manifest"
    return None


def _target() -> str:
    """The configured database, named for the operator (never with its password)."""
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(database["NAME"])
    host = database.get("HOST") or "local socket"
    return f"PostgreSQL database {database['NAME']} on {host}"


def backup_command(path: Path) -> int:
    """`kitei backup PATH`: write the backup and its manifest; 0, or 2 with one line."""
    try:
        manifest = backup_database(path)
    except BackupError as exc:
        print(f"kitei: {exc}", file=sys.stderr)
        return 2
    rows = sum(manifest.tables.values())
    print(
        f"kitei: backup of {_target()} written to {path} ({manifest.vendor}, "
        f"{len(manifest.tables)} tables, {rows} rows, "
        f"{len(manifest.audit_chains)} audit chains, "
        f"{manifest.evidence['files']} evidence files); manifest {manifest_path(path)}"
    )
    for problem in manifest.evidence["problems"]:
        print(f"kitei: {problem}", file=sys.stderr)
    if manifest.evidence["problems"]:
        print(
            "kitei: the backup holds the evidence files as they are; restoring it will fail on "
            "those named above (run `kitei evidence verify`)",
            file=sys.stderr,
        )
        return 1
    return 0


def restore_command(path: Path) -> int:
    """`kitei restore PATH`: 0 when the restore verifies, 1 when it does not, 2 when refused."""
    try:
        manifest, checks = restore_database(path)
    except BackupError as exc:
        print(f"kitei: {exc}", file=sys.stderr)
        return 2
    print(
        f"kitei: restored {path} (taken {manifest.created_at} by kitei "
        f"{manifest.kitei_version}) into {_target()}"
    )
    for check in checks:
        if check.ok:
            print(f"  ok      {check.what}")
        else:
            print(f"  FAILED  {check.problem}", file=sys.stderr)
    if all(check.ok for check in checks):
        print("kitei: the restore is verified")
        return 0
    print(
        "kitei: the restore is NOT verified: do not serve this database; keep the backup "
        "for investigation and restore another one into an empty database",
        file=sys.stderr,
    )
    return 1
