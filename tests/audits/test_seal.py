"""§5.4 acceptance 6: the issued audit is sealed (manifest hash in the chain), later material
is an addendum, and the package verifies offline naming the first file that does not match."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kitei.audits import findings, services
from kitei.audits.choices import AuditState
from kitei.cli import main
from kitei.core import access
from kitei.core.models import ChangeRecord
from kitei.core.services import verify_audit_chain

from ..conftest import PDF, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(
    *, mito: Any, somu: Any, sato: Any, tanaka: Any, somu_audit: Any, evidence_dir: Path
) -> Any:
    audit = somu_audit
    services.appoint_auditor(audit, tanaka, actor=tanaka.user, is_lead=True)
    services.start_audit(audit, actor=tanaka.user)
    services.record_working_paper(audit, actor=tanaka.user, item="10-1(1)", text="規程類を確認した")
    services.attach_audit_evidence(
        audit,
        actor=tanaka.user,
        upload=upload("ヒアリング記録.pdf", PDF),
        evidence_date=timezone.localdate(),
    )
    findings.raise_finding(audit, actor=tanaka.user, kind="minor", title="掲示", department=somu)
    services.issue_report(audit, actor=tanaka.user, report="総務課の監査結果は次のとおり。")
    audit.refresh_from_db()
    return audit


def test_issue_seals_the_audit_with_its_manifest_in_the_chain(mito: Any, issued: Any) -> None:
    assert issued.state == AuditState.ISSUED
    assert issued.sealed
    record = ChangeRecord.objects.get(action="issue_audit_report")
    after = json.loads(record.after)
    assert after["manifest_sha256"] == issued.manifest_sha256
    assert issued.seal_seq == record.seq
    paths = [f["path"] for f in json.loads(issued.manifest)["files"]]
    assert paths[0] == "report.txt"
    assert any(p.startswith("working-papers/") for p in paths)
    assert any(p.startswith("evidence/") and p.endswith("ヒアリング記録.pdf") for p in paths)
    assert verify_audit_chain(mito).ok


def test_after_issue_evidence_and_working_papers_are_refused_and_an_addendum_is_kept(
    issued: Any, tanaka: Any, gicho: Any
) -> None:
    with pytest.raises(ValidationError, match="封印"):
        services.attach_audit_evidence(
            issued,
            actor=tanaka.user,
            upload=upload("追加.pdf", PDF),
            evidence_date=timezone.localdate(),
        )
    with pytest.raises(ValidationError, match="封印"):
        services.record_working_paper(issued, actor=tanaka.user, item="x", text="追記")
    paper = services.record_addendum(
        issued, actor=tanaka.user, item="追補", text="報告後に判明した事項"
    )
    assert paper.addendum
    with pytest.raises(access.Refusal):
        services.receive_report(issued, actor=tanaka.user)
    services.receive_report(issued, actor=gicho.user)
    issued.refresh_from_db()
    assert issued.state == AuditState.RECEIVED


def test_the_package_verifies_and_one_changed_byte_names_its_file(
    issued: Any, tanaka: Any, tmp_path: Path, capsys: Any
) -> None:
    services.record_addendum(issued, actor=tanaka.user, item="追補", text="後日の資料")
    out = tmp_path / "out.zip"
    assert main(["audit", "package", str(issued.pk), str(out)]) == 0
    assert main(["audit", "verify-package", str(out)]) == 0
    assert "package OK" in capsys.readouterr().out
    with zipfile.ZipFile(out) as package:
        names = package.namelist()
        assert "manifest.json" in names
        contents = {n: package.read(n) for n in names}
    evidence_name = next(n for n in names if n.startswith("evidence/"))
    for target in (evidence_name, "report.txt", "manifest.json"):
        changed = bytearray(contents[target])
        changed[len(changed) // 2] ^= 0x01
        tampered = tmp_path / f"tampered-{len(target)}.zip"
        with zipfile.ZipFile(tampered, "w") as package:
            for name, data in contents.items():
                package.writestr(name, bytes(changed) if name == target else data)
        assert main(["audit", "verify-package", str(tampered)]) == 1
        assert f"does not match: {target} (altered)" in capsys.readouterr().err


def test_package_refuses_an_unknown_or_unsealed_audit_in_one_line(
    somu_audit: Any, tmp_path: Path, capsys: Any
) -> None:
    assert main(["audit", "package", "999999", str(tmp_path / "x.zip")]) == 2
    assert main(["audit", "package", str(somu_audit.pk), str(tmp_path / "x.zip")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert "未封印" in err[1]
    assert main(["audit", "verify-package", str(tmp_path / "missing.zip")]) == 2


def test_an_altered_evidence_file_refuses_the_seal(
    mito: Any, tanaka: Any, somu_audit: Any, evidence_dir: Path
) -> None:
    services.appoint_auditor(somu_audit, tanaka, actor=tanaka.user, is_lead=True)
    services.start_audit(somu_audit, actor=tanaka.user)
    file = services.attach_audit_evidence(
        somu_audit,
        actor=tanaka.user,
        upload=upload("a.pdf", PDF),
        evidence_date=timezone.localdate(),
    )
    (evidence_dir / file.file.name).write_bytes(PDF + b"x")
    with pytest.raises(ValidationError, match=r"「a\.pdf」が失われたか改変されている"):
        services.issue_report(somu_audit, actor=tanaka.user, report="結果")
    somu_audit.refresh_from_db()
    assert not somu_audit.sealed


def test_the_issued_audit_satisfies_the_annual_audit_duty_on_the_calendar(
    mito: Any, issued: Any
) -> None:
    from kitei.duties import schedule  # noqa: PLC0415

    calendar = schedule.compute(mito, 2026)
    (annual,) = [o for o in calendar.occurrences if o.duty.id == "annual-audit"]
    assert annual.proof is not None
    assert annual.proof.object_id == str(issued.pk)
    assert annual.proof.url == f"/audits/{issued.pk}/"


def test_the_ciso_finds_the_issued_report_on_the_home_page_and_records_receipt(
    issued: Any, gicho: Any
) -> None:
    from .conftest import client_for  # noqa: PLC0415

    client = client_for(gicho)
    home = client.get("/").content.decode()
    line = home.split('id="waiting-audit-reports"')[1].split("</li>", maxsplit=1)[0]
    assert "?state=issued" in line
    listed = client.get("/audits/?state=issued").content.decode()
    assert issued.number in listed
    assert client.post(f"/audits/{issued.pk}/receive/").status_code == 302
    issued.refresh_from_db()
    assert issued.state == AuditState.RECEIVED
    assert 'id="waiting-audit-reports"' not in client.get("/").content.decode()


def test_package_by_number_and_organisation(issued: Any, tmp_path: Path) -> None:
    out = tmp_path / "by-number.zip"
    assert main(["audit", "package", issued.number, str(out), "--org", "mito"]) == 0
    assert main(["audit", "verify-package", str(out)]) == 0
    assert main(["audit", "package", issued.number, str(out), "--org", "nowhere"]) == 2
