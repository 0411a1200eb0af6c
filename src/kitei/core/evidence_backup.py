"""The evidence files of a backup: copied beside it, restored and verified with the database.

A backup's evidence is the folder PATH.evidence (mode 0700, files 0600), holding every file
the backed-up database names, under its storage name. Files are immutable and never
deleted, so copying after the database snapshot gives exactly the snapshot's files.
Restore puts them back into STORAGES["evidence"] and checks each against the SHA-256 the
restored database recorded; a missing or altered one fails the restore, named.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.core.files import File

from kitei.core.models import EvidenceFile, evidence_storage

CHUNK = 1 << 20


@dataclass(frozen=True, kw_only=True)
class Row:
    """One evidence file as the snapshot names it."""

    id: int
    name: str
    sha256: str
    original_name: str

    def label(self) -> str:
        """How a message names the file: number, original name, storage name."""
        return f"evidence file #{self.id} {self.original_name!r} ({self.name})"


@dataclass(frozen=True, kw_only=True)
class Copied:
    """What a backup copied: how many files and bytes, and each file that did not hold."""

    files: int
    bytes: int
    problems: tuple[str, ...]


def folder_of(path: Path) -> Path:
    """Where a backup's evidence files live: beside it, named PATH.evidence."""
    return path.with_name(path.name + ".evidence")


def snapshot_rows(cursor: Any, tables: Iterable[str]) -> tuple[Row, ...]:
    """The evidence files the snapshot read by `cursor` names (none before the table exists)."""
    table = EvidenceFile._meta.db_table
    if table not in tables:
        return ()
    cursor.execute(f'SELECT id, file, sha256, original_name FROM "{table}" ORDER BY id')
    return tuple(
        Row(id=int(pk), name=name, sha256=digest, original_name=original)
        for pk, name, digest, original in cursor.fetchall()
    )


def _safe(name: str) -> PurePosixPath | None:
    """A storage name as a relative path inside the folder, or None if it would leave it."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts:
        return None
    return path


def _blocks(name: str) -> Iterator[bytes]:
    with evidence_storage().open(name, "rb") as handle:
        yield from handle.chunks(CHUNK)


def copy_evidence(rows: Iterable[Row], folder: Path) -> Copied:
    """Copy each named file from the evidence storage into `folder`, re-hashing it."""
    folder.mkdir(mode=0o700)
    files = total = 0
    problems = []
    for row in rows:
        relative = _safe(row.name)
        if relative is None:
            problems.append(f"{row.label()} has a name outside the storage")
            continue
        target = folder.joinpath(*relative.parts)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        digest = hashlib.sha256()
        try:
            with target.open("xb") as out:
                os.chmod(target, 0o600)
                for block in _blocks(row.name):
                    digest.update(block)
                    out.write(block)
        except FileNotFoundError:
            target.unlink(missing_ok=True)
            problems.append(f"{row.label()} is missing from the evidence storage")
            continue
        files += 1
        total += target.stat().st_size
        if digest.hexdigest() != row.sha256:
            problems.append(f"{row.label()} was altered in the evidence storage")
    return Copied(files=files, bytes=total, problems=tuple(problems))


def copy_beside(rows: Iterable[Row], path: Path) -> Copied:
    """Copy the snapshot's evidence files beside the backup at PATH (PATH.evidence), all or none."""
    folder = folder_of(path)
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)  # left behind by a backup that was cut short
    try:
        copied = copy_evidence(rows, partial)
        os.replace(partial, folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return copied


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def restore_evidence(folder: Path) -> tuple[int, list[str]]:
    """Put the backup's files back into the evidence storage, each checked against the database.

    Returns how many files the restored database names and one line per file that is
    missing from the backup, altered in it, or clashes with a different stored file.
    """
    rows = [
        Row(id=e.pk, name=e.file.name or "", sha256=e.sha256, original_name=e.original_name)
        for e in EvidenceFile.objects.order_by("pk")
    ]
    problems = [p for row in rows if (p := _restore_one(row, folder)) is not None]
    return len(rows), problems


def _restore_one(row: Row, folder: Path) -> str | None:
    relative = _safe(row.name)
    if relative is None:
        return f"{row.label()} has a name outside the storage"
    source = folder.joinpath(*relative.parts)
    if not source.is_file():
        return f"{row.label()} is missing from the backup"
    if _sha256(source) != row.sha256:
        return f"{row.label()} was altered in the backup (its SHA-256 differs)"
    return _put(row, source)


def _put(row: Row, source: Path) -> str | None:
    """Store a verified file under its name, unless the storage already holds it."""
    storage = evidence_storage()
    if storage.exists(row.name):
        held = hashlib.sha256()
        for block in _blocks(row.name):
            held.update(block)
        if held.hexdigest() != row.sha256:
            return f"{row.label()}: the evidence storage already holds a different file"
        return None
    with source.open("rb") as handle:
        stored = storage.save(row.name, File(handle))
    if stored != row.name:
        storage.delete(stored)
        return f"{row.label()}: the evidence storage would not keep its name"
    return None
