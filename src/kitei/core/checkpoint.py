"""Checkpoints of the audit chains, kept outside the database and signed with a key it never holds.

A checkpoint is one JSON line per organisation: its identifier and id, the chain's length
(`seq`) and last hash at a moment (`at`), and an HMAC-SHA256 over those fields with the
checkpoint key (`KITEI_CHECKPOINT_KEY`, or the file `KITEI_CHECKPOINT_KEY_FILE` names).
Lines are appended to a file, sent to syslog or mailed, somewhere a database
administrator cannot reach (another host, write-once media).

Someone who can rewrite the database can rebuild a whole chain and its head so that it
verifies again, or wipe it; they cannot make it contain the hash a checkpoint saw at that
seq. `check_checkpoints` looks for exactly that, and the HMAC keeps anyone without the
key from slipping a checkpoint of their rebuilt chain into the file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from kitei.core import guards
from kitei.core.actors import Operator
from kitei.core.chain import GENESIS, canonical_json
from kitei.core.models import ChangeRecord, Organization
from kitei.core.services import chain_snapshot, verify_audit_chain

FORMAT = "kitei-checkpoint/1"
MIN_KEY = 32  # characters (bytes) of key: `openssl rand -hex 32` gives 64
SYSLOG_IDENT = "kitei-checkpoint"
_HEX64 = re.compile(r"[0-9a-f]{64}")


class CheckpointError(Exception):
    """A refusal told in one line; exit 2 unless `exit_code` says otherwise."""

    def __init__(self, message: str, *, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def checkpoint_key() -> bytes:
    """The key from KITEI_CHECKPOINT_KEY, or the file KITEI_CHECKPOINT_KEY_FILE names."""
    text, file = settings.CHECKPOINT_KEY, settings.CHECKPOINT_KEY_FILE
    if text and file:
        raise CheckpointError("set KITEI_CHECKPOINT_KEY or KITEI_CHECKPOINT_KEY_FILE, not both")
    key = text.strip().encode()
    if file:
        path = Path(file)
        try:
            mode, key = path.stat().st_mode, path.read_bytes().strip()
        except OSError as exc:
            reason = exc.strerror
            raise CheckpointError(f"cannot read the checkpoint key file {path}: {reason}") from None
        if mode & 0o007:
            raise CheckpointError(
                f"the checkpoint key file {path} is readable by others: chmod 600"
            )
    if not key:
        raise CheckpointError(
            "no checkpoint key: set KITEI_CHECKPOINT_KEY or KITEI_CHECKPOINT_KEY_FILE "
            "(a key kept outside the database)"
        )
    if len(key) < MIN_KEY:
        raise CheckpointError(
            f"the checkpoint key is too short: at least {MIN_KEY} characters "
            "(e.g. `openssl rand -hex 32`)"
        )
    return key


@dataclass(frozen=True, kw_only=True)
class Checkpoint:
    """One organisation's chain head at a moment: its length and last hash."""

    organization: str
    id: int
    seq: int
    hash: str
    at: str

    def mac(self, key: bytes) -> str:
        """HMAC-SHA256 over the canonical JSON of the format and every field."""
        signed = canonical_json({"format": FORMAT, **asdict(self)}).encode()
        return hmac.new(key, signed, hashlib.sha256).hexdigest()

    def line(self, key: bytes) -> str:
        """The checkpoint as one JSON line, signed."""
        data = {"format": FORMAT, **asdict(self), "hmac": self.mac(key)}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, kw_only=True)
class Destinations:
    """Where checkpoints go: appended to a file, sent to syslog, mailed, written to a stream."""

    out: Path | None = None
    syslog: bool = False
    mail: tuple[str, ...] = ()
    stream: TextIO | None = None

    @classmethod
    def configured(cls) -> Destinations:
        """The destinations the settings name (KITEI_CHECKPOINT_FILE, _SYSLOG, _MAIL)."""
        out = settings.CHECKPOINT_FILE
        return cls(
            out=Path(out) if out else None,
            syslog=settings.CHECKPOINT_SYSLOG,
            mail=tuple(settings.CHECKPOINT_MAIL),
        )

    def __bool__(self) -> bool:
        return bool(self.out or self.syslog or self.mail or self.stream)


def current_checkpoints() -> list[Checkpoint]:
    """Every organisation's head, read in the snapshot in which its chain is verified.

    A broken chain is refused (exit 1): a checkpoint must never vouch for a tampered one.
    """
    at = timezone.localtime().isoformat(timespec="seconds")
    with chain_snapshot() as cursor:
        cursor.execute(
            f"SELECT id, slug, chain_seq, chain_head FROM {Organization._meta.db_table} ORDER BY id"
        )
        heads = cursor.fetchall()
        verification = verify_audit_chain()
    if not verification.ok:
        raise CheckpointError(
            f"audit chain broken: {verification.problem}; no checkpoint written", exit_code=1
        )
    return [
        Checkpoint(organization=slug, id=int(pk), seq=int(seq), hash=head, at=at)
        for pk, slug, seq, head in heads
    ]


def write_checkpoint(destinations: Destinations | None = None) -> list[Checkpoint]:
    """Write every organisation's current head, signed, to the destinations; returns them.

    Without destinations, those the settings name: the periodic job calls
    `write_checkpoint()`. Raises CheckpointError (one line) when none is named, the key is
    missing, the chain is broken or a destination fails.
    """
    destinations = destinations if destinations is not None else Destinations.configured()
    if not destinations:
        raise CheckpointError(
            "no checkpoint destination: give --out FILE, --syslog or --mail ADDRESS, or set "
            "KITEI_CHECKPOINT_FILE, KITEI_CHECKPOINT_SYSLOG or KITEI_CHECKPOINT_MAIL"
        )
    key = checkpoint_key()
    checkpoints = current_checkpoints()
    lines = [checkpoint.line(key) for checkpoint in checkpoints]
    if destinations.out is not None:
        _append(destinations.out, lines)
    if destinations.syslog:
        _to_syslog(lines)
    if destinations.mail:
        _mail(destinations.mail, lines)
    if destinations.stream is not None:
        destinations.stream.write("".join(f"{line}\n" for line in lines))
    return checkpoints


def _append(path: Path, lines: list[str]) -> None:
    """Append the lines and wait until they are on disk; the file is created owner-only."""
    text = "".join(f"{line}\n" for line in lines)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
    except OSError as exc:
        raise CheckpointError(f"cannot write the checkpoint to {path}: {exc.strerror}") from None


def _to_syslog(lines: list[str]) -> None:
    """One syslog message per line (facility user, program name kitei-checkpoint)."""
    import syslog  # noqa: PLC0415 - POSIX only, and only when asked for

    syslog.openlog(SYSLOG_IDENT, syslog.LOG_PID, syslog.LOG_USER)
    try:
        for line in lines:
            syslog.syslog(syslog.LOG_NOTICE, line)
    finally:
        syslog.closelog()


def _mail(recipients: tuple[str, ...], lines: list[str]) -> None:
    """Mail the lines (to the CISO); the body can be saved and given to verify as it is."""
    body = "kitei audit checkpoint: keep this mail; verify with kitei audit verify --checkpoint\n\n"
    try:
        send_mail(
            f"kitei 監査証跡のチェックポイント {timezone.localtime():%Y-%m-%d %H:%M}",
            body + "".join(f"{line}\n" for line in lines),
            None,
            list(recipients),
        )
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"cannot mail the checkpoint: {exc}") from None


@dataclass(frozen=True, kw_only=True)
class CheckpointReport:
    """The checkpoints of a file against the database: how many hold, the first problems."""

    checked: int
    organizations: int
    # Organisation identifier (or "line N" for a line that is no checkpoint) → its first problem.
    problems: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_checkpoints(path: Path, *, organization: Organization | None = None) -> CheckpointReport:
    """Check that every checkpoint in the file (of one organisation, or all) is authentic
    and that its organisation's chain still holds that hash at that seq.

    Lines without `{` are skipped, and each line's JSON starts at its first `{`, so a
    syslog file or a saved mail can be given as it is.
    """
    key = checkpoint_key()
    only = None if organization is None else organization.slug
    problems: dict[str, str] = {}
    entries = list(_authentic(_read(path), key, only, problems))
    if not entries and not problems:
        raise CheckpointError(f"{path} holds no checkpoint" + (f" of {only}" if only else ""))
    checked, seen = 0, set()
    with chain_snapshot() as cursor:
        cursor.execute(f"SELECT id, slug, chain_seq FROM {Organization._meta.db_table}")
        organizations = {int(pk): (slug, int(seq)) for pk, slug, seq in cursor.fetchall()}
        hashes: dict[tuple[int, int], str | None] = {}
        for number, checkpoint in entries:
            seen.add(checkpoint.organization)
            if checkpoint.organization in problems:
                continue
            problem = _against_chain(cursor, checkpoint, organizations, hashes)
            if problem:
                problems[checkpoint.organization] = f"line {number}: {problem}"
            else:
                checked += 1
    return CheckpointReport(checked=checked, organizations=len(seen), problems=problems)


def _read(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text from the first `{`) of each line holding one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise CheckpointError(f"cannot read the checkpoint file {path}: {reason}") from None
    for number, line in enumerate(text.splitlines(), 1):
        start = line.find("{")
        if start >= 0:
            yield number, line[start:]


def _authentic(
    lines: Iterator[tuple[int, str]], key: bytes, only: str | None, problems: dict[str, str]
) -> Iterator[tuple[int, Checkpoint]]:
    """The checkpoints whose HMAC holds; the others become problems."""
    for number, text in lines:
        parsed = _parse(text)
        if parsed is None:
            problems.setdefault(f"line {number}", "not a kitei checkpoint")
            continue
        checkpoint, mac = parsed
        if only is not None and checkpoint.organization != only:
            continue
        if not hmac.compare_digest(mac, checkpoint.mac(key)):
            problems.setdefault(
                checkpoint.organization,
                f"line {number}: the HMAC does not match: forged or altered, "
                "or signed with another key",
            )
            continue
        yield number, checkpoint


def _parse(text: str) -> tuple[Checkpoint, str] | None:
    """A checkpoint and its HMAC from a JSON line, or None when it is none."""
    try:
        data: Any = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    fields = {"organization": str, "id": int, "seq": int, "hash": str, "at": str, "hmac": str}
    if data.keys() != {"format", *fields} or not all(
        type(data[name]) is kind for name, kind in fields.items()
    ):
        return None
    if data["seq"] < 0 or not _HEX64.fullmatch(data["hash"]):
        return None
    mac = data.pop("hmac")
    del data["format"]
    return Checkpoint(**data), mac


def _against_chain(
    cursor: Any,
    checkpoint: Checkpoint,
    organizations: dict[int, tuple[str, int]],
    hashes: dict[tuple[int, int], str | None],
) -> str | None:
    """What no longer holds of an authentic checkpoint in the database, if anything."""
    found = organizations.get(checkpoint.id)
    if found is None or found[0] != checkpoint.organization:
        return f"organisation {checkpoint.organization} (#{checkpoint.id}) is no longer there"
    seen = f"the checkpoint of {checkpoint.at} saw record #{checkpoint.seq}"
    if checkpoint.seq == 0:
        return None if checkpoint.hash == GENESIS else f"{seen} with a hash no chain starts with"
    where = (checkpoint.id, checkpoint.seq)
    if where not in hashes:
        cursor.execute(
            f"SELECT hash FROM {ChangeRecord._meta.db_table} "
            "WHERE organization_id = %s AND seq = %s",
            list(where),
        )
        row = cursor.fetchone()
        hashes[where] = None if row is None else str(row[0])
    stored = hashes[where]
    if stored is None and found[1] < checkpoint.seq:
        return f"the chain has {found[1]} records; {seen}: records were wiped or cut off"
    if stored is None:
        return f"{seen}, which is missing"
    if stored != checkpoint.hash:
        return f"{seen} with another hash: the chain was rewritten"
    return None


def periodic_checkpoint(actor: Operator) -> str:
    """The periodic job `core.audit_checkpoint`: a checkpoint to the configured destinations.

    The task fails, naming why, when no destination or key is configured or a chain is
    broken; and, after writing, when an audit guard is missing (as `kitei audit checkpoint`
    exits 1), so that `kitei tasks list --failed` raises the alarm.
    """
    written = write_checkpoint()
    missing = guards.absent()
    if missing:
        raise CheckpointError(
            f"checkpoint of {len(written)} audit chains written, but audit guards are missing "
            f"or disabled: {', '.join(missing)} (the database was changed outside kitei)",
            exit_code=1,
        )
    return f"checkpoint of {len(written)} audit chains written"
