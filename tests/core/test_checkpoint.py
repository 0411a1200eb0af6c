"""Checkpoints kept outside the database reveal a chain wiped, cut off or rewritten since."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import connection

from kitei.cli import main
from kitei.core import chain, guards
from kitei.core.checkpoint import CheckpointError, Destinations, write_checkpoint
from kitei.core.choices import CoreAuditAction
from kitei.core.models import ChangeRecord, Organization
from kitei.core.services import record_change
from tests.conftest import SETUP

KEY = "3f" * 32


@pytest.fixture
def key(settings: Any) -> str:
    settings.CHECKPOINT_KEY = KEY
    settings.CHECKPOINT_KEY_FILE = ""
    return KEY


@pytest.fixture
def orgs(mito: Organization, toyama: Organization, sato: Any, yamada: Any) -> list[Organization]:
    for org in (mito, toyama):
        org.refresh_from_db()
    return [mito, toyama]


@pytest.fixture
def checkpoint(key: str, orgs: list[Organization], tmp_path: Path) -> Path:
    """A checkpoint of both organisations' chains, appended to a file."""
    path = tmp_path / "checkpoints.jsonl"
    assert main(["audit", "checkpoint", "--out", str(path)]) == 0
    return path


def _verify(path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["audit", "verify", "--checkpoint", str(path), *args])
    out, err = capsys.readouterr()
    return code, out, err


def _wipe(org: Organization) -> None:
    """What the issue describes: a DBA drops the guards, empties the records, resets the head."""
    with guards.lifted(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE core_changerecord")
        else:
            cursor.execute("DELETE FROM core_changerecord")
        cursor.execute(
            "UPDATE core_organization SET chain_seq = 0, chain_head = %s", [chain.GENESIS]
        )


def _rewrite(org: Organization, *, seq: int = 0, cut: int = 0) -> None:
    """Alter record `seq` and cut `cut` records off the end, then rebuild the chain and its
    head so that it verifies again, as someone holding the database but not the key could."""
    records = list(ChangeRecord.objects.filter(organization=org).order_by("seq"))
    kept, dropped = records[: len(records) - cut], records[len(records) - cut :]
    with guards.lifted():
        ChangeRecord.objects.filter(pk__in=[r.pk for r in dropped]).delete()
        prev = chain.GENESIS
        for record in kept:
            if record.seq == seq:
                record.actor_name = "someone-else"
            if record.seq >= seq > 0:
                record.prev_hash = prev
                record.hash = chain.hash_of(record)
                record.save(update_fields=["actor_name", "prev_hash", "hash"])
            prev = record.hash
        Organization.objects.filter(pk=org.pk).update(chain_seq=len(kept), chain_head=prev)


@pytest.mark.django_db
def test_a_checkpoint_holds_on_an_intact_chain(
    checkpoint: Path, orgs: list[Organization], capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [json.loads(line) for line in checkpoint.read_text().splitlines()]
    assert [(c["organization"], c["seq"], c["hash"]) for c in lines] == [
        (o.slug, o.chain_seq, o.chain_head) for o in sorted(orgs, key=lambda o: o.pk)
    ]
    assert {c["format"] for c in lines} == {"kitei-checkpoint/1"}
    assert all(len(c["hmac"]) == 64 and c["at"] for c in lines)
    assert oct(checkpoint.stat().st_mode & 0o777) == "0o600"
    record_change(orgs[0], actor=SETUP, action=CoreAuditAction.UPGRADE_PACK, obj=orgs[0])
    assert main(["audit", "checkpoint", "--out", str(checkpoint)]) == 0  # appended
    assert len(checkpoint.read_text().splitlines()) == 4
    code, out, err = _verify(checkpoint, capsys)
    assert (code, err) == (0, "")
    assert "checkpoints hold (4 checkpoints of 2 organisations in" in out


@pytest.mark.django_db
def test_a_wiped_chain_verifies_alone_but_not_against_its_checkpoint(
    checkpoint: Path, orgs: list[Organization], capsys: pytest.CaptureFixture[str]
) -> None:
    mito = orgs[0]
    _wipe(mito)
    capsys.readouterr()
    assert main(["audit", "verify"]) == 0  # what the issue found: "holds (0 records)"
    assert "audit chain holds (0 records)" in capsys.readouterr().out
    code, _, err = _verify(checkpoint, capsys)
    assert code == 1
    assert err.splitlines() == [
        f"kitei: checkpoint broken: {org.slug}: line {line}: the chain has 0 records; the "
        f"checkpoint of {_at(checkpoint)} saw record #{org.chain_seq}: records were wiped or "
        "cut off"
        for line, org in enumerate(sorted(orgs, key=lambda o: o.pk), 1)
    ]


def _at(path: Path) -> str:
    return str(json.loads(path.read_text().splitlines()[0])["at"])


@pytest.mark.django_db
def test_a_rewritten_chain_fails_naming_the_organisation(
    checkpoint: Path, orgs: list[Organization], capsys: pytest.CaptureFixture[str]
) -> None:
    mito, toyama = orgs
    _rewrite(mito, seq=2)
    capsys.readouterr()
    assert main(["audit", "verify"]) == 0  # the rewritten chain holds together
    code, out, err = _verify(checkpoint, capsys)
    assert code == 1
    assert err.splitlines() == [
        f"kitei: checkpoint broken: mito: line {1 if mito.pk < toyama.pk else 2}: the "
        f"checkpoint of {_at(checkpoint)} saw record #{mito.chain_seq} with another hash: "
        "the chain was rewritten"
    ]
    code, out, err = _verify(checkpoint, capsys, "--org", toyama.slug)
    assert (code, err) == (0, "")  # the other organisation's chain still holds
    assert "checkpoints hold (1 checkpoints of 1 organisations" in out


@pytest.mark.django_db
def test_a_chain_cut_off_at_the_end_fails(
    checkpoint: Path, orgs: list[Organization], capsys: pytest.CaptureFixture[str]
) -> None:
    mito = orgs[0]
    _rewrite(mito, cut=2)
    code, _, err = _verify(checkpoint, capsys, "--org", "mito")
    assert code == 1
    assert f"the chain has {mito.chain_seq - 2} records;" in err
    assert "records were wiped or cut off" in err


@pytest.mark.django_db
def test_a_forged_checkpoint_is_detected(
    checkpoint: Path, orgs: list[Organization], capsys: pytest.CaptureFixture[str]
) -> None:
    mito = orgs[0]
    _wipe(mito)
    # Whoever wiped the chain replaces the checkpoints with ones of the empty chain.
    lines = [json.loads(line) for line in checkpoint.read_text().splitlines()]
    for line in lines:
        line.update(seq=0, hash=chain.GENESIS)
    checkpoint.write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, _, err = _verify(checkpoint, capsys)
    assert code == 1
    assert err.splitlines() == [
        f"kitei: checkpoint broken: {o.slug}: line {n}: the HMAC does not match: forged or "
        "altered, or signed with another key"
        for n, o in enumerate(sorted(orgs, key=lambda o: o.pk), 1)
    ]


@pytest.mark.django_db
def test_a_checkpoint_signed_with_another_key_fails(
    checkpoint: Path, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.CHECKPOINT_KEY = "another-key-" * 4
    code, _, err = _verify(checkpoint, capsys, "--org", "mito")
    assert code == 1
    assert "mito: line" in err
    assert "the HMAC does not match" in err


@pytest.mark.django_db
def test_a_line_that_is_no_checkpoint_is_named(
    checkpoint: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with checkpoint.open("a") as file:
        file.write('a note without braces is skipped\n{"format": "something else"}\n')
    code, _, err = _verify(checkpoint, capsys)
    assert code == 1
    assert err.splitlines() == ["kitei: checkpoint broken: line 4: not a kitei checkpoint"]


@pytest.mark.django_db
def test_a_missing_key_is_one_line(
    orgs: list[Organization], settings: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.CHECKPOINT_KEY = settings.CHECKPOINT_KEY_FILE = ""
    path = tmp_path / "checkpoints.jsonl"
    assert main(["audit", "checkpoint", "--out", str(path)]) == 2
    message = (
        "kitei: no checkpoint key: set KITEI_CHECKPOINT_KEY or KITEI_CHECKPOINT_KEY_FILE "
        "(a key kept outside the database)\n"
    )
    assert capsys.readouterr() == ("", message)
    assert not path.exists()
    path.write_text("{}\n")
    assert main(["audit", "verify", "--checkpoint", str(path)]) == 2
    assert capsys.readouterr() == ("", message)
    settings.CHECKPOINT_KEY = "short"
    assert main(["audit", "checkpoint", "--out", str(path)]) == 2
    assert "the checkpoint key is too short" in capsys.readouterr().err


@pytest.mark.django_db
def test_the_key_from_a_file_only_its_owner_reads(
    orgs: list[Organization], settings: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "checkpoint.key"
    key_file.write_text(KEY + "\n")
    key_file.chmod(0o644)
    settings.CHECKPOINT_KEY, settings.CHECKPOINT_KEY_FILE = "", str(key_file)
    path = tmp_path / "checkpoints.jsonl"
    assert main(["audit", "checkpoint", "--out", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"kitei: the checkpoint key file {key_file} is readable by others: chmod 600\n"
    )
    key_file.chmod(0o600)
    assert main(["audit", "checkpoint", "--out", str(path)]) == 0
    settings.CHECKPOINT_KEY_FILE = ""
    settings.CHECKPOINT_KEY = KEY  # the same key, given the other way
    assert _verify(path, capsys)[0] == 0


@pytest.mark.django_db
def test_a_broken_chain_gets_no_checkpoint(
    key: str, orgs: list[Organization], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with guards.lifted(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_changerecord SET actor_name = 'eve' WHERE seq = 1")
    path = tmp_path / "checkpoints.jsonl"
    assert main(["audit", "checkpoint", "--out", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kitei: audit chain broken: organization ")
    assert err.endswith("; no checkpoint written\n")
    assert len(err.splitlines()) == 1
    assert not path.exists()


@pytest.mark.django_db
def test_syslog_and_mail_carry_checkpoints_that_verify_as_kept(
    key: str,
    orgs: list[Organization],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import syslog  # noqa: PLC0415

    sent: list[str] = []
    monkeypatch.setattr(syslog, "syslog", lambda priority, message: sent.append(message))
    args = ["audit", "checkpoint", "--syslog", "--mail", "ciso@city.example.lg.jp"]
    assert main(args) == 0
    assert "written to syslog, ciso@city.example.lg.jp" in capsys.readouterr().out
    assert len(sent) == len(orgs)
    # As a remote syslog file keeps them, each behind its host and program name.
    logged = tmp_path / "kitei.log"
    logged.write_text("".join(f"Nov 22 02:30:05 kitei kitei-checkpoint[42]: {m}\n" for m in sent))
    assert _verify(logged, capsys)[0] == 0
    (message,) = mail.outbox
    assert message.to == ["ciso@city.example.lg.jp"]
    saved = tmp_path / "mail.txt"
    saved.write_text(message.body)
    assert _verify(saved, capsys)[0] == 0


@pytest.mark.django_db
def test_write_checkpoint_goes_where_the_settings_say(
    key: str,
    orgs: list[Organization],
    settings: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings.CHECKPOINT_FILE, settings.CHECKPOINT_SYSLOG, settings.CHECKPOINT_MAIL = "", False, []
    with pytest.raises(CheckpointError, match="no checkpoint destination"):
        write_checkpoint()
    assert main(["audit", "checkpoint"]) == 0  # nothing configured: standard output
    printed = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["organization"] for line in printed] == ["mito", "toyama"]
    settings.CHECKPOINT_FILE = str(tmp_path / "periodic.jsonl")
    written = write_checkpoint()  # what the periodic job calls
    assert [(c.organization, c.seq) for c in written] == [(o.slug, o.chain_seq) for o in orgs]
    assert main(["audit", "checkpoint"]) == 0
    assert len(Path(settings.CHECKPOINT_FILE).read_text().splitlines()) == 4
    assert write_checkpoint(Destinations(out=tmp_path / "other.jsonl"))
    assert os.path.exists(tmp_path / "other.jsonl")


@pytest.mark.django_db
def test_a_file_without_checkpoints_is_refused(
    key: str, orgs: list[Organization], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert main(["audit", "verify", "--checkpoint", str(empty)]) == 2
    assert capsys.readouterr().err == f"kitei: {empty} holds no checkpoint\n"
    missing = tmp_path / "missing.jsonl"
    assert main(["audit", "verify", "--checkpoint", str(missing)]) == 2
    assert "cannot read the checkpoint file" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_a_checkpoint_outside_a_transaction_reads_one_snapshot(
    key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import make_org  # noqa: PLC0415 - the builder, outside a fixture

    org = make_org()
    assert connection.get_autocommit()
    (written,) = write_checkpoint(Destinations(out=tmp_path / "checkpoints.jsonl"))
    assert (written.seq, written.hash) == (org.chain_seq, org.chain_head)
    assert connection.get_autocommit()  # the snapshot was closed
    assert _verify(tmp_path / "checkpoints.jsonl", capsys)[0] == 0
