"""The audit trail's hash chain: canonical text of a record, and verifying the chain.

A record's hash is SHA-256 over its canonical text: the previous record's hash and the
record's fields as stored, joined by a separator (ASCII unit separator) that canonical
JSON never contains unescaped. Verification has two passes over one snapshot:

- the fast pass asks the database for a few thousand records at a time, their canonical
  texts already built and joined into one value, in a second thread (the database works
  with the GIL released) while this one checks the chunk before; no Python loop runs per
  record (splitting, hashing and comparing go over whole chunks), so two cores check
  about 600,000 records per second (`bench/audit_bench.py`);
- the exact pass, record by record, runs only when the fast pass is in any doubt, and
  names the first record that breaks the chain.

The fast pass accepts a chain only when it checked exactly what the exact pass checks
(every seq from 1 without gaps, every link, every hash, the head); anything else, even a
false alarm, goes to the exact pass, so the two never disagree on a verdict.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from operator import itemgetter, methodcaller
from typing import Any

GENESIS = "0" * 64
SEP = "\x1f"  # ASCII unit separator, between the fields of one record
RECORD_SEP = "\x1e"  # ASCII record separator, between records of one fast-pass chunk
CHUNK = 4096  # records per fast-pass query

Heads = dict[int, tuple[int, str]]  # organisation id → (chain_seq, chain_head)


def canonical_json(value: Any) -> str:
    """Stable JSON text for before/after snapshots (sorted keys, no spaces, UTF-8)."""
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def time_text(at: datetime | str) -> str:
    """UTC time as fixed-width text with microseconds (the hash input for `at`).

    Naive values are UTC already (Django stores UTC). Text is the column as SQLite stores
    it: `str()` of the naive UTC value, which leaves out `.000000` on a whole second.
    """
    if isinstance(at, str):
        if len(at) == 26 and at[10] == " ":
            return at
        if len(at) == 19 and at[10] == " ":
            return at + ".000000"
        at = datetime.fromisoformat(at)
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(" ", "microseconds")


def canonical_text(
    prev_hash: str,
    *,
    org_id: int,
    seq: int,
    at: str,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    before: str,
    after: str,
) -> str:
    """The text a record's hash is computed over (`at` already as `time_text`)."""
    fields = (prev_hash, str(org_id), str(seq), at, actor_name, action, object_type)
    return SEP.join((*fields, object_id, before, after))


def record_hash(prev_hash: str, **fields: Any) -> str:
    """SHA-256 over the previous hash and this record's fields (see `canonical_text`)."""
    return hashlib.sha256(canonical_text(prev_hash, **fields).encode("utf-8")).hexdigest()


def hash_of(record: Any) -> str:
    """The hash a ChangeRecord must carry: over its `prev_hash` and its fields as set."""
    return record_hash(
        record.prev_hash,
        org_id=record.organization_id,
        seq=record.seq,
        at=time_text(record.at),
        actor_name=record.actor_name,
        action=record.action,
        object_type=record.object_type,
        object_id=record.object_id,
        before=record.before,
        after=record.after,
    )


# The SQL of verification runs on the raw DB-API connection; table names come from the
# models, everything else is fixed here beside `canonical_text`, which it must match.
_FIELDS = (
    '"prev_hash"',
    '"organization_id"',
    '"seq"',
    '"at"',
    '"actor_name"',
    '"action"',
    '"object_type"',
    '"object_id"',
    '"before"',
    '"after"',
)
_EXACT_COLUMNS = (
    '"organization_id", "seq", "at", "actor_name", "action", "object_type", "object_id", '
    '"before", "after", "prev_hash", "hash"'
)


def text_sql(vendor: str) -> str:
    """SQL expression for a record's canonical text (sqlite, postgresql)."""
    if vendor == "sqlite":
        # `at` is stored as str() of naive UTC: a whole second has no `.000000`.
        at = """CASE WHEN length("at") = 19 THEN "at" || '.000000' ELSE "at" END"""
        args = ", ".join(at if f == '"at"' else f for f in _FIELDS)
        return f"printf('{SEP.join(['%s'] * len(_FIELDS))}', {args})"
    if vendor == "postgresql":
        at = """to_char("at" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"""
        args = ", ".join(at if f == '"at"' else f"{f}::text" for f in _FIELDS)
        return f"concat_ws(chr(31), {args})"
    raise ValueError(f"the audit chain is verified on sqlite or postgresql, not {vendor}")


def _chunk_sql(vendor: str, records: str) -> str:
    """One chunk of one organisation's chain: count, seqs, hashes, texts (as bytes)."""
    text = text_sql(vendor)
    if vendor == "postgresql":
        return (
            "SELECT count(*), string_agg(seq::text, ',' ORDER BY seq), "
            "string_agg(hash, ',' ORDER BY seq), "
            f"convert_to(string_agg({text}, chr(30) ORDER BY seq), 'UTF8') FROM {records} "
            "WHERE organization_id = %s AND seq >= %s AND seq < %s"
        )
    # SQLite walks the (organization, seq) index in order, and group_concat keeps the order
    # it is fed (any other order would fail the seq check and leave it to the exact pass).
    # No aggregate of prev_hash: each text begins with it, and that costs SQLite far less.
    return (
        "SELECT count(*), group_concat(seq, ','), group_concat(hash, ','), "
        f"CAST(group_concat({text}, char(30)) AS BLOB) FROM {records} "
        "WHERE organization_id = ? AND seq >= ? AND seq < ?"
    )


def verify(
    raw: Any,
    *,
    vendor: str,
    records: str,
    organizations: str,
    organization_id: int | None = None,
    chunk: int = CHUNK,
) -> tuple[int, str | None]:
    """Verify the chain(s) on a raw DB-API connection; (records checked, first problem)."""
    ph = "%s" if vendor == "postgresql" else "?"
    where, params = (
        ("", []) if organization_id is None else (f" WHERE id = {ph}", [organization_id])
    )
    cursor = raw.cursor()
    try:
        cursor.execute(f"SELECT id, chain_seq, chain_head FROM {organizations}{where}", params)
        heads: Heads = {int(i): (int(n), str(h)) for i, n, h in cursor.fetchall()}
    finally:
        cursor.close()
    checked = fast_verify(
        raw,
        vendor=vendor,
        records=records,
        heads=heads,
        organization_id=organization_id,
        chunk=chunk,
    )
    if checked is not None:
        return checked, None
    return exact_verify(
        raw, vendor=vendor, records=records, heads=heads, organization_id=organization_id
    )


def fast_verify(
    raw: Any,
    *,
    vendor: str,
    records: str,
    heads: Heads,
    organization_id: int | None = None,
    chunk: int = CHUNK,
) -> int | None:
    """The fast pass: the number of records when every check holds, else None (doubt)."""
    sql = _chunk_sql(vendor, records)
    ph = "%s" if vendor == "postgresql" else "?"
    bounds = (
        f"SELECT (SELECT min(seq) FROM {records} WHERE organization_id = {ph}), "
        f"(SELECT max(seq) FROM {records} WHERE organization_id = {ph})"
    )
    with _Chunks(raw, _organizations(raw, records, heads, organization_id)) as chunks:
        total = 0
        for org_id, chunk_rows in chunks.of_each(sql, bounds, chunk):
            length = _fast_organization(chunk_rows, heads.get(org_id))
            if length is None:
                return None
            total += length
        return total


def _fast_organization(chunk_rows: Iterator[Any], head: tuple[int, str] | None) -> int | None:
    """Check one organisation's chunks, then its bounds and head; its length or None."""
    prev, length = GENESIS, 0
    for start, row in chunk_rows:
        if start is None:  # the (min seq, max seq) row closes the organisation
            if row != ((1, length) if length else (None, None)):
                return None  # records outside 1…length
            if head is not None and (length != head[0] or (length and prev != head[1])):
                return None
            return length
        checked = check_chunk(row, start, prev)
        if checked is None:
            return None
        prev, count = checked
        length += count
    return None


_HEXDIGEST = methodcaller("hexdigest")
_LINK = itemgetter(slice(0, 65))  # a text's prev_hash and the separator after it
_SEP_BYTES, _RECORD_SEP_BYTES = SEP.encode(), RECORD_SEP.encode()
_SEPS_PER_TEXT = len(_FIELDS) - 1


def check_chunk(row: tuple[Any, ...], start: int, prev: str) -> tuple[str, int] | None:
    """Check one chunk (count, seqs, hashes, texts) that follows `prev` from `start`.

    Returns (last hash, records) when seqs run from `start` without gaps, every record
    links to the one before and every hash matches its text; None otherwise.
    """
    count, seqs, hashes, blob = row
    if not count:
        return prev, 0
    if seqs != ",".join(map(str, range(start, start + count))):
        return None
    blob = blob if isinstance(blob, bytes) else bytes(blob)
    texts = blob.split(_RECORD_SEP_BYTES)
    if len(texts) != count or blob.count(_SEP_BYTES) != _SEPS_PER_TEXT * count:
        return None  # a separator inside a value: fields are ambiguous, the exact pass decides
    # Whole-string comparisons: each expected value is 64 hex digits, so equal strings
    # mean equal values one by one (a comma inside a stored value would add one).
    if ",".join(map(_HEXDIGEST, map(hashlib.sha256, texts))) != hashes:
        return None
    # Each text starts with its prev_hash column, which has no separator in it (counted
    # above): it must be the hash of the record before.
    links = f"{prev},{hashes[:-64]}"  # prev, then every hash but the last, each with a comma
    if b"".join(map(_LINK, texts)) != links.replace(",", SEP).encode():
        return None
    return hashes[-64:], count


def _organizations(raw: Any, records: str, heads: Heads, organization_id: int | None) -> list[int]:
    """Every organisation with a head or with records (a loose index scan, not a full one)."""
    if organization_id is not None:
        return [organization_id]
    cursor = raw.cursor()
    try:
        cursor.execute(
            "WITH RECURSIVE o(id) AS ("
            f"SELECT min(organization_id) FROM {records} UNION ALL "
            f"SELECT (SELECT min(organization_id) FROM {records} WHERE organization_id > o.id) "
            "FROM o WHERE o.id IS NOT NULL) SELECT id FROM o WHERE id IS NOT NULL"
        )
        found = {int(i) for (i,) in cursor.fetchall()}
    finally:
        cursor.close()
    return sorted(found | set(heads))


class _Chunks:
    """Runs the chunk queries in a second thread, so SQL and hashing overlap on two cores.

    The database does its part inside one call per chunk, with the GIL released, while
    this thread hashes the chunk before. The connection is used by that thread only.
    """

    _END = object()

    def __init__(self, raw: Any, organizations: list[int]) -> None:
        self.raw, self.organizations = raw, organizations
        self.queue: queue.Queue[Any] = queue.Queue(maxsize=4)
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.ended = False  # the producer is done: nothing more will come

    def __enter__(self) -> _Chunks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        while self.thread is not None and self.thread.is_alive():
            try:
                self.queue.get(timeout=0.1)
            except queue.Empty:
                continue
        if self.thread is not None:
            self.thread.join()

    def of_each(self, sql: str, bounds: str, chunk: int) -> Iterator[tuple[int, Iterator[Any]]]:
        """Yield (organisation, its (start, chunk row) pairs ending with (None, bounds))."""
        self.thread = threading.Thread(
            target=self._produce, args=(sql, bounds, chunk), name="kitei-verify", daemon=True
        )
        self.thread.start()
        for org_id in self.organizations:
            yield org_id, self._rows()

    def _rows(self) -> Iterator[Any]:
        while not self.ended:
            item = self.queue.get()
            if item is self._END:
                self.ended = True
                return
            if isinstance(item, BaseException):
                raise item
            yield item
            if item[0] is None:
                return

    def _produce(self, sql: str, bounds: str, chunk: int) -> None:
        cursor = None
        try:
            cursor = self.raw.cursor()
            for org_id in self.organizations:
                if self.stop.is_set():
                    return
                start = 1
                while not self.stop.is_set():
                    row = cursor.execute(sql, (org_id, start, start + chunk)).fetchone()
                    self.queue.put((start, row))
                    if row[0] < chunk:
                        break
                    start += chunk
                self.queue.put((None, cursor.execute(bounds, (org_id, org_id)).fetchone()))
        except BaseException as exc:  # handed to the consuming thread, which raises it
            self.queue.put(exc)
        finally:
            if cursor is not None:
                cursor.close()
            self.queue.put(self._END)


def exact_verify(
    raw: Any, *, vendor: str, records: str, heads: Heads, organization_id: int | None = None
) -> tuple[int, str | None]:
    """The exact pass, record by record in (organisation, seq) order; names the first problem."""
    ph = "%s" if vendor == "postgresql" else "?"
    where, params = (
        ("", [])
        if organization_id is None
        else (f" WHERE organization_id = {ph}", [organization_id])
    )
    cursor = (
        raw.cursor(name="kitei_verify_chain", withhold=True)
        if vendor == "postgresql"
        else raw.cursor()
    )
    try:
        # SQLite's `at` as stored text: a value no longer parseable is an altered record.
        columns = (
            _EXACT_COLUMNS.replace('"at"', 'CAST("at" AS TEXT)')
            if vendor == "sqlite"
            else _EXACT_COLUMNS
        )
        cursor.execute(
            f"SELECT {columns} FROM {records}{where} ORDER BY organization_id, seq", params
        )
        return verify_rows(_stream(cursor), heads)
    finally:
        cursor.close()


def _stream(cursor: Any, size: int = 20_000) -> Iterable[Any]:
    while rows := cursor.fetchmany(size):
        yield from rows


def verify_rows(rows: Iterable[Any], heads: Heads) -> tuple[int, str | None]:
    """Check rows (org, seq, at, actor, action, type, id, before, after, prev, hash) in order.

    `heads` maps organisation id → (chain_seq, chain_head) as the organisation row records
    them. Returns (records checked, None) or (records checked, the first problem).
    """
    sha = hashlib.sha256
    checked = 0
    seen: set[int] = set()
    org = None
    expected_seq = 0
    prev = GENESIS
    for row in rows:
        org_id, seq, at, actor, action, otype, oid, before, after, prev_hash, digest = row
        if org_id != org:
            problem = _tail_problem(org, expected_seq, prev, heads)
            if problem:
                return checked, problem
            org, expected_seq, prev = org_id, 0, GENESIS
            seen.add(org_id)
        expected_seq += 1
        if seq != expected_seq:
            return checked, (
                f"organization {org_id}: record #{expected_seq} is missing (found #{seq})"
            )
        if prev_hash != prev:
            return checked, f"organization {org_id}: record #{seq} does not follow #{seq - 1}"
        try:
            at_text = time_text(at)
        except (TypeError, ValueError):
            return checked, f"organization {org_id}: record #{seq} was altered"
        text = SEP.join(
            (prev, str(org_id), str(seq), at_text, actor, action, otype, oid, before, after)
        )
        if sha(text.encode("utf-8")).hexdigest() != digest:
            return checked, f"organization {org_id}: record #{seq} was altered"
        prev = digest
        checked += 1
    return checked, _tail_problem(org, expected_seq, prev, heads) or _vanished(heads, seen)


def _vanished(heads: Heads, seen: set[int]) -> str | None:
    """An organisation whose head says it has records but none was read."""
    for org_id, (length, _) in sorted(heads.items()):
        if length and org_id not in seen:
            return f"organization {org_id}: all {length} records are missing"
    return None


def _tail_problem(org: int | None, length: int, head: str, heads: Heads) -> str | None:
    if org is None or org not in heads:
        return None
    want_length, want_head = heads[org]
    if length < want_length:
        return f"organization {org}: records #{length + 1}–#{want_length} are missing"
    if length == want_length and head != want_head:
        return f"organization {org}: record #{length} does not match the chain head"
    if length > want_length:
        return f"organization {org}: record #{want_length + 1} was inserted after the head"
    return None
