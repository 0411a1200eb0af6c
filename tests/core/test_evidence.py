"""Evidence files: attached through the service, served by the checked view, verified by the CLI."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import subprocess
import sys
import zipfile
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from kitei.cli import main
from kitei.core import access
from kitei.core.evidence import attach_evidence
from kitei.core.models import ChangeRecord, EvidenceFile
from kitei.core.services import verify_audit_chain

from ..conftest import PASSWORD, PDF, upload

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 20)
CERTIFICATE = "データ消去証明書（リース返却）.pdf"


def _attach(org: Any, person: Any, obj: Any, name: str, content: bytes, **kwargs: Any) -> Any:
    kwargs.setdefault("evidence_date", DAY)
    return attach_evidence(org, actor=person.user, obj=obj, upload=upload(name, content), **kwargs)


def _stored(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def _nothing_written(folder: Path) -> None:
    """Neither a row, nor its audit record, nor a file: a refusal leaves no trace."""
    assert not EvidenceFile.objects.exists()
    assert not ChangeRecord.objects.filter(action="attach_evidence").exists()
    assert _stored(folder) == []


def _xlsx() -> bytes:
    book = Workbook()
    book.active.append(["日付", "内容"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip(*parts: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for part in parts:
            archive.writestr(part, "<x/>")
    return out.getvalue()


def _client(person: Any) -> Client:
    client = Client()
    assert client.login(username=person.user.username, password=PASSWORD)
    return client


def test_an_attached_file_is_hashed_stored_and_its_hash_enters_the_audit_chain(
    mito: Any, sato: Any, disposal: Any, evidence_dir: Path
) -> None:
    evidence = _attach(mito, sato, disposal, CERTIFICATE, PDF, description="消去証明書")
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.size == len(PDF)
    assert evidence.content_type == "application/pdf"
    assert evidence.original_name == CERTIFICATE
    assert (evidence.uploaded_by, evidence.uploaded_by_name) == (sato.user, "sato")
    assert evidence.evidence_date == DAY
    assert evidence.supports == disposal
    [stored] = _stored(evidence_dir)
    assert stored.read_bytes() == PDF
    assert stored.name.endswith(".pdf")
    assert "証明書" not in str(stored)  # stored under a name kitei chooses
    record = ChangeRecord.objects.get(action="attach_evidence")
    after = json.loads(record.after)
    assert after["sha256"] == evidence.sha256
    assert after["size"] == len(PDF)
    assert after["name"] == CERTIFICATE
    assert after["content_type"] == "application/pdf"
    assert after["evidence_date"] == "2026-11-20"
    assert after["supports"] == {"type": "records.recordentry", "id": str(disposal.pk)}
    assert (record.object_type, record.object_id) == ("core.evidencefile", str(evidence.pk))
    assert verify_audit_chain(mito).ok


def test_verify_reports_every_file_that_holds(
    mito: Any, sato: Any, disposal: Any, evidence_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _attach(mito, sato, disposal, "写真.png", b"\x89PNG\r\n\x1a\n" + bytes(16))
    _attach(mito, sato, disposal, CERTIFICATE, PDF)
    assert main(["evidence", "verify"]) == 0
    assert "every evidence file holds (2 files)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("写真.png", b"\x89PNG\r\n\x1a\n" + bytes(32), "image/png"),
        ("写真.JPG", b"\xff\xd8\xff\xe0" + bytes(32), "image/jpeg"),
        (
            "点検結果.xlsx",
            _xlsx(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "報告書.docx",
            _zip("[Content_Types].xml", "word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("一覧.csv", "日付,内容\n2026-11-20,廃棄\n".encode(), "text/csv; charset=utf-8"),
        ("一覧.csv", "日付,内容\n2026-11-20,廃棄\n".encode("cp932"), "text/csv; charset=shift_jis"),
        ("メモ.txt", "\ufeff廃棄に立ち会った。\r\n".encode(), "text/plain; charset=utf-8"),
    ],
)
def test_the_allowed_kinds_are_accepted_with_their_own_content_type(
    mito: Any,
    sato: Any,
    disposal: Any,
    evidence_dir: Path,
    *,
    name: str,
    content: bytes,
    content_type: str,
) -> None:
    assert _attach(mito, sato, disposal, name, content).content_type == content_type


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ" + bytes(64), "この種類のファイルは添付できません（.exe）"),
        ("証明書", PDF, "拡張子なし"),
        ("証明書.pdf", b"MZ" + bytes(64), "「証明書.pdf」の内容は PDF ではありません"),
        ("写真.jpg", b"\x89PNG\r\n\x1a\n" + bytes(32), "JPEG ではありません"),
        ("台帳.xlsx", _zip("[Content_Types].xml", "word/document.xml"), "Excel（.xlsx） では"),
        ("台帳.xlsx", b"PK\x03\x04" + bytes(40), "Excel（.xlsx） ではありません"),
        ("一覧.csv", b"a,b\n\x00\x01\x02", "テキストとして読めません"),
        ("一覧.csv", b"\x82\xa0\xff\xfe\x85", "UTF-8 または Shift_JIS"),
        ("空.pdf", b"", "空のファイル"),
    ],
)
def test_wrong_or_disguised_files_are_refused_and_nothing_is_written(
    mito: Any,
    sato: Any,
    disposal: Any,
    evidence_dir: Path,
    *,
    name: str,
    content: bytes,
    message: str,
) -> None:
    with pytest.raises(ValidationError, match=message):
        _attach(mito, sato, disposal, name, content)
    _nothing_written(evidence_dir)


def test_a_file_over_the_limit_is_refused_naming_the_limit(
    mito: Any, sato: Any, disposal: Any, evidence_dir: Path, settings: Any
) -> None:
    settings.EVIDENCE_MAX_BYTES = 2048
    limit = r"大きすぎます（4\.1 KB）。添付できるのは 2\.0 KB までです"
    with pytest.raises(ValidationError, match=limit):
        _attach(mito, sato, disposal, "大きい.pdf", PDF + bytes(4096))
    # The announced size may lie: the bytes are counted as they arrive.
    big = upload("大きい.pdf", PDF + bytes(4096))
    big.size = 10
    with pytest.raises(ValidationError, match="大きすぎます"):
        attach_evidence(mito, actor=sato.user, obj=disposal, upload=big, evidence_date=DAY)
    _nothing_written(evidence_dir)
    assert _attach(mito, sato, disposal, "小さい.pdf", PDF).size == len(PDF)


def test_the_evidence_date_is_required_and_not_in_the_future(
    mito: Any, sato: Any, disposal: Any, evidence_dir: Path
) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="未来の日付"):
        _attach(mito, sato, disposal, CERTIFICATE, PDF, evidence_date=tomorrow)
    with pytest.raises(ValidationError, match="証拠の日付を入力してください"):
        _attach(mito, sato, disposal, CERTIFICATE, PDF, evidence_date=None)
    assert _stored(evidence_dir) == []


def test_only_members_with_the_permission_attach_and_only_to_their_own_objects(
    mito: Any,
    toyama: Any,
    sato: Any,
    yamada: Any,
    *,
    disposal: Any,
    evidence_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(PermissionDenied):
        _attach(mito, yamada, disposal, CERTIFICATE, PDF)  # not a member of mito
    with pytest.raises(ValidationError, match="別の組織"):
        _attach(toyama, yamada, disposal, CERTIFICATE, PDF)  # mito's entry, toyama's file
    with pytest.raises(PermissionDenied):
        attach_evidence(
            mito,
            actor=AnonymousUser(),
            obj=disposal,
            upload=upload("a.pdf", PDF),
            evidence_date=DAY,
        )
    # A pack that does not grant evidence.attach (the gate answers no) refuses a member.
    monkeypatch.setitem(
        access.PERMISSION_INFO,
        "evidence.attach",
        replace(access.PERMISSION_INFO["evidence.attach"], base="none"),
    )
    with pytest.raises(PermissionDenied):
        _attach(mito, sato, disposal, CERTIFICATE, PDF)
    _nothing_written(evidence_dir)


def test_objects_no_app_registered_take_no_evidence(
    mito: Any, sato: Any, somu: Any, evidence_dir: Path
) -> None:
    with pytest.raises(ValidationError, match="この対象には証拠ファイルを添付できません"):
        _attach(mito, sato, somu, CERTIFICATE, PDF)  # a department
    assert _stored(evidence_dir) == []


def test_evidence_is_immutable(mito: Any, sato: Any, disposal: Any, evidence_dir: Path) -> None:
    evidence = _attach(mito, sato, disposal, CERTIFICATE, PDF)
    evidence.description = "書き換え"
    with pytest.raises(RuntimeError, match="immutable"):
        evidence.save()
    with pytest.raises(RuntimeError, match="immutable"):
        evidence.delete()
    with pytest.raises(RuntimeError, match="immutable"):
        EvidenceFile.objects.filter(pk=evidence.pk).update(sha256="0" * 64)
    with pytest.raises(RuntimeError, match="immutable"):
        EvidenceFile.objects.filter(pk=evidence.pk).delete()
    evidence.refresh_from_db()
    assert evidence.description == ""
    assert len(_stored(evidence_dir)) == 1


def test_a_failed_write_leaves_neither_a_file_nor_a_row(
    mito: Any, sato: Any, disposal: Any, evidence_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database refused")

    monkeypatch.setattr("kitei.core.evidence.record_change", broken)
    with pytest.raises(RuntimeError, match="database refused"):
        _attach(mito, sato, disposal, CERTIFICATE, PDF)
    assert _stored(evidence_dir) == []
    monkeypatch.undo()

    def full(self: Any, name: str, content: Any, max_length: Any = None) -> str:
        (evidence_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (evidence_dir / name).write_bytes(b"%PDF-")  # half written, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("django.core.files.storage.FileSystemStorage.save", full)
    with pytest.raises(OSError, match="No space"):
        _attach(mito, sato, disposal, CERTIFICATE, PDF)
    _nothing_written(evidence_dir)


def test_a_member_downloads_the_file_as_an_attachment_with_its_japanese_name(
    mito: Any, sato: Any, suzuki: Any, disposal: Any, evidence_dir: Path
) -> None:
    evidence = _attach(mito, sato, disposal, CERTIFICATE, PDF)
    response = _client(suzuki).get(f"/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote(CERTIFICATE)}" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"


def test_downloads_are_scoped_to_the_organisation_and_the_permission(
    mito: Any,
    sato: Any,
    suzuki: Any,
    yamada: Any,
    *,
    disposal: Any,
    evidence_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    evidence = _attach(mito, sato, disposal, CERTIFICATE, PDF)
    url = f"/evidence/{evidence.pk}/"
    assert _client(yamada).get(url).status_code == 404  # another organisation's file
    assert _client(yamada).get("/evidence/999999/").status_code == 404
    assert Client().get(url).status_code == 302  # to the login page
    User.objects.create_superuser("root", "", PASSWORD)
    root = Client()
    root.login(username="root", password=PASSWORD)
    assert root.get(url).status_code in (302, 403)  # no membership: TOTP gate or refusal
    # The book's own permission counts too: a member who may not read the book gets 403.
    monkeypatch.setitem(
        access.PERMISSION_INFO,
        "records.view",
        replace(access.PERMISSION_INFO["records.view"], base="none"),
    )
    assert _client(suzuki).get(url).status_code == 403
    monkeypatch.setitem(
        access.PERMISSION_INFO,
        "records.view",
        replace(access.PERMISSION_INFO["records.view"], base="member"),
    )
    monkeypatch.setitem(
        access.PERMISSION_INFO,
        "evidence.read",
        replace(access.PERMISSION_INFO["evidence.read"], base="none"),
    )
    assert _client(suzuki).get(url).status_code == 403


def test_a_tampered_or_missing_file_is_refused_logged_and_reported_by_verify(
    mito: Any,
    sato: Any,
    suzuki: Any,
    disposal: Any,
    *,
    evidence_dir: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    kept = _attach(mito, sato, disposal, "写真.png", b"\x89PNG\r\n\x1a\n" + bytes(16))
    evidence = _attach(mito, sato, disposal, CERTIFICATE, PDF)
    stored = evidence_dir / evidence.file.name
    stored.write_bytes(PDF.replace(b"Catalog", b"Catalag"))
    client = _client(suzuki)
    with caplog.at_level(logging.ERROR, logger="kitei.evidence"):
        response = client.get(f"/evidence/{evidence.pk}/")
    assert response.status_code == 409
    page = response.content.decode()
    assert "内容が変わっています（SHA-256 が一致しません）" in page
    assert "Content-Disposition" not in response
    assert f"evidence #{evidence.pk}" in caplog.text
    assert "altered" in caplog.text
    assert client.get(f"/evidence/{kept.pk}/").status_code == 200
    assert main(["evidence", "verify", "--org", "mito"]) == 1
    err = capsys.readouterr().err
    assert f"altered: evidence #{evidence.pk} '{CERTIFICATE}' of mito" in err
    assert "1 of 2 evidence files are missing or altered" in err
    stored.unlink()
    assert "保存場所にありません" in client.get(f"/evidence/{evidence.pk}/").content.decode()
    assert main(["evidence", "verify"]) == 1
    assert f"missing: evidence #{evidence.pk}" in capsys.readouterr().err
    assert main(["evidence", "verify", "--org", "nowhere"]) == 2


def _evidence_settings(tmp_path: Path, **env: str) -> dict[str, Any]:
    """STORAGES["evidence"] and the size limit as kitei's settings make them from `env`."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.STORAGES['evidence'], settings.EVIDENCE_MAX_BYTES]))"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KITEI_EVIDENCE")}
    environment.update(
        DJANGO_SETTINGS_MODULE="kitei.settings", KITEI_DEBUG="1", KITEI_DATA_DIR=str(tmp_path)
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env={**environment, **env}, capture_output=True, text=True,
        check=True, timeout=120,
    )  # fmt: skip
    storage, limit = json.loads(done.stdout)
    return {"storage": storage, "limit": limit}


def test_the_evidence_storage_and_limit_come_from_the_environment(tmp_path: Path) -> None:
    default = _evidence_settings(tmp_path)
    assert default["storage"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert default["storage"]["OPTIONS"]["location"] == str(tmp_path.resolve() / "evidence")
    assert default["limit"] == 20 * 1024 * 1024
    folder = _evidence_settings(
        tmp_path, KITEI_EVIDENCE_DIR=str(tmp_path / "proof"), KITEI_EVIDENCE_MAX_BYTES="1000"
    )
    assert folder["storage"]["OPTIONS"]["location"] == str(tmp_path.resolve() / "proof")
    assert folder["limit"] == 1000
    other = _evidence_settings(
        tmp_path,
        KITEI_EVIDENCE_STORAGE="django.core.files.storage.InMemoryStorage",
        KITEI_EVIDENCE_STORAGE_OPTIONS='{"location": "proof"}',
    )
    assert other["storage"] == {
        "BACKEND": "django.core.files.storage.InMemoryStorage",
        "OPTIONS": {"location": "proof"},
    }
