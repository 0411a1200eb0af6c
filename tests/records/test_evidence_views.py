"""Evidence files on record book entries: attached on the entry's page, listed on the book's."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kitei.core.models import ChangeRecord, EvidenceFile

from ..conftest import PDF, upload
from .test_views import client_for

pytestmark = pytest.mark.django_db


def _post(client: Any, entry: Any, name: str, content: bytes, **data: str) -> Any:
    data.setdefault("evidence_date", "2026-11-20")
    data.setdefault("description", "リース会社発行のデータ消去証明書")
    return client.post(
        f"/records/entries/{entry.pk}/evidence/", {**data, "file": upload(name, content)}
    )


def test_a_disposal_certificate_is_attached_on_the_entry_page_and_listed(
    mito: Any, suzuki: Any, disposal: Any, evidence_dir: Path
) -> None:
    client = client_for(suzuki)
    page = client.get(f"/records/entries/{disposal.pk}/evidence/")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()
    response = _post(client, disposal, "消去証明書.pdf", PDF)
    assert response.status_code == 302
    evidence = EvidenceFile.objects.get()
    assert evidence.supports == disposal
    assert evidence.uploaded_by_name == "suzuki"
    assert ChangeRecord.objects.filter(action="attach_evidence", actor=suzuki.user).exists()
    listed = client.get(response["Location"]).content.decode()
    assert "証拠ファイルを添付しました。" in listed
    assert "消去証明書.pdf" in listed
    assert "リース会社発行のデータ消去証明書" in listed
    assert "2026-11-20" in listed
    assert hashlib.sha256(PDF).hexdigest()[:12] in listed
    assert f'href="/evidence/{evidence.pk}/"' in listed
    book = client.get("/records/disposal-record/").content.decode()
    assert f'href="/evidence/{evidence.pk}/"' in book
    assert f'href="/records/entries/{disposal.pk}/evidence/"' in book
    download = client.get(f"/evidence/{evidence.pk}/")
    assert b"".join(download.streaming_content) == PDF


def test_a_refused_file_is_told_in_japanese_and_nothing_is_kept(
    mito: Any, suzuki: Any, disposal: Any, evidence_dir: Path
) -> None:
    client = client_for(suzuki)
    response = _post(client, disposal, "消去証明書.pdf", b"MZ" + bytes(64))
    assert response.status_code == 400
    assert "「消去証明書.pdf」の内容は PDF ではありません" in response.content.decode()
    response = _post(client, disposal, "消去証明書.pdf", PDF, evidence_date="")
    assert response.status_code == 400
    assert "証拠の日付を入力してください。" in response.content.decode()
    assert not EvidenceFile.objects.exists()
    assert not evidence_dir.exists() or not any(evidence_dir.rglob("*.pdf"))


def test_another_organisation_cannot_see_or_attach_to_an_entry(
    mito: Any, yamada: Any, disposal: Any, evidence_dir: Path
) -> None:
    client = client_for(yamada)
    assert client.get(f"/records/entries/{disposal.pk}/evidence/").status_code == 404
    assert _post(client, disposal, "a.pdf", PDF).status_code == 404
    assert not EvidenceFile.objects.exists()


def test_a_member_who_may_not_write_records_sees_the_files_but_cannot_attach(
    mito: Any,
    sato: Any,
    suzuki: Any,
    disposal: Any,
    *,
    evidence_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from kitei.core import access  # noqa: PLC0415
    from kitei.core.evidence import attach_evidence  # noqa: PLC0415

    attach_evidence(
        mito,
        actor=sato.user,
        obj=disposal,
        upload=upload("証明書.pdf", PDF),
        evidence_date=disposal.recorded_at.date(),
    )
    # A pack that grants records.view but not records.write (the gate answers no).
    monkeypatch.setitem(
        access.PERMISSION_INFO,
        "records.write",
        replace(access.PERMISSION_INFO["records.write"], base="none"),
    )
    client = client_for(suzuki)
    page = client.get(f"/records/entries/{disposal.pk}/evidence/").content.decode()
    assert "証明書.pdf" in page
    assert "証拠ファイルを添付" not in page
    assert _post(client, disposal, "b.pdf", PDF).status_code == 403
    assert EvidenceFile.objects.count() == 1
