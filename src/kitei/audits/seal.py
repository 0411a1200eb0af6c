"""The seal of an issued audit and its package: a manifest of every file with its SHA-256.

On issue, `build_manifest` lists the report, every working paper and every evidence file
(re-hashed from storage, streamed) with their SHA-256, and the findings as they stand; the
manifest's own SHA-256 enters the audit chain with the issue. `write_package` writes the
ZIP (`manifest.json` exactly as sealed, `seal.json` naming the chain record, the files, and
the addenda written after the seal with their own list); `verify_package` checks a ZIP
offline — it needs neither the database nor the network — and names the first file that
does not match.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from kitei.core import evidence
from kitei.core.chain import canonical_json
from kitei.core.models import evidence_storage

if TYPE_CHECKING:
    from kitei.audits.models import Audit, WorkingPaper
    from kitei.core.models import EvidenceFile

FORMAT = "kitei-audit-package/1"
MANIFEST, SEAL, ADDENDA, REPORT = "manifest.json", "seal.json", "addenda.json", "report.txt"
CHUNK = 1 << 20


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def paper_text(paper: WorkingPaper) -> str:
    """The bytes of a working paper as sealed and packaged (UTF-8 of this text)."""
    return canonical_json(
        {
            "id": paper.pk,
            "item": paper.item,
            "text": paper.text,
            "addendum": paper.addendum,
            "corrects": paper.corrects_id,
            "recorded_by": paper.recorded_by.name,
            "recorded_at": paper.recorded_at.isoformat(),
        }
    )


def _paper_path(paper: WorkingPaper) -> str:
    folder = "addenda" if paper.addendum else "working-papers"
    return f"{folder}/{paper.pk:06d}.json"


def _evidence_path(file: EvidenceFile) -> str:
    safe = file.original_name.replace("/", "_").replace("\\", "_")
    return f"evidence/{file.pk:06d}-{safe}"


@dataclass(frozen=True, kw_only=True)
class Built:
    """A manifest as sealed: its text, SHA-256, the report's SHA-256 and the files listed."""

    text: str
    sha256: str
    report_sha256: str
    sealed_at: datetime
    files: list[dict[str, Any]] = field(default_factory=list)


def _rehashed(file: EvidenceFile) -> str:
    """The stored bytes' SHA-256, checked against the recorded one (EvidenceUnavailableError)."""
    evidence.check_stored(file)
    return file.sha256


def build_manifest(audit: Audit, report: str) -> Built:
    """The manifest of the audit as it is now, with the report about to be issued."""
    sealed_at = timezone.now()
    report_sha = sha256_text(report)
    files: list[dict[str, Any]] = [
        {"path": REPORT, "sha256": report_sha, "size": len(report.encode())}
    ]
    papers = audit.papers.filter(addendum=False).select_related("recorded_by").order_by("pk")
    for paper in papers:
        text = paper_text(paper)
        files.append(
            {"path": _paper_path(paper), "sha256": sha256_text(text), "size": len(text.encode())}
        )
    for file in evidence.evidence_for(audit.organization, [audit]).get(audit.pk, []):
        files.append(
            {
                "path": _evidence_path(file),
                "sha256": _rehashed(file),
                "size": file.size,
                "evidence_date": file.evidence_date.isoformat(),
            }
        )
    manifest = {
        "format": FORMAT,
        "organization": audit.organization.slug,
        "audit": {
            "number": audit.number,
            "title": audit.title,
            "kind": audit.kind,
            "fiscal_year": audit.programme.fiscal_year,
            "pack_digest": audit.pack_digest,
            "criteria": audit.criteria,
            "methods": audit.methods,
            "departments": sorted(d.name for d in audit.departments.all()),
            "systems": sorted(s.name for s in audit.systems.all()),
            "contracts": audit.contracts,
            "starts_on": audit.starts_on.isoformat() if audit.starts_on else None,
            "ends_on": audit.ends_on.isoformat() if audit.ends_on else None,
        },
        "auditors": [
            {
                "name": a.person.name,
                "lead": a.is_lead,
                "override_reason": a.override_reason,
                "independent": a.verdict.get("allowed"),
            }
            for a in audit.appointments.select_related("person").order_by("pk")
        ],
        "findings": [
            {
                "number": f.number,
                "kind": f.kind,
                "title": f.title,
                "clause": f.clause,
                "department": f.department.name,
                "owner": f.owner.name,
                "state": f.state,
            }
            for f in audit.findings.select_related("department", "owner").order_by("pk")
        ],
        "files": files,
        "sealed_at": sealed_at.isoformat(),
    }
    text = canonical_json(manifest)
    return Built(
        text=text,
        sha256=sha256_text(text),
        report_sha256=report_sha,
        sealed_at=sealed_at,
        files=files,
    )


def _evidence_blocks(file: EvidenceFile) -> Iterator[bytes]:
    storage = evidence_storage()
    with storage.open(file.file.name, "rb") as handle:
        yield from handle.chunks(CHUNK)


def write_package(audit: Audit, out: Path) -> int:
    """Write the sealed audit's ZIP to `out`; returns the number of files in it."""
    if not audit.sealed:
        raise ValueError(f"audit {audit.number} is not sealed (its report is not issued)")
    manifest = json.loads(audit.manifest)
    by_path = {
        _evidence_path(f): f
        for f in evidence.evidence_for(audit.organization, [audit]).get(audit.pk, [])
    }
    papers = {_paper_path(p): p for p in audit.papers.select_related("recorded_by")}
    addenda = [p for p in papers.values() if p.addendum]
    seal_info = {
        "format": FORMAT,
        "manifest_sha256": audit.manifest_sha256,
        "chain": {"organization": audit.organization.slug, "seq": audit.seal_seq},
    }
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr(MANIFEST, audit.manifest.encode("utf-8"))
        package.writestr(SEAL, canonical_json(seal_info).encode("utf-8"))
        for entry in manifest["files"]:
            path = entry["path"]
            if path == REPORT:
                package.writestr(path, audit.report_text.encode("utf-8"))
            elif path in papers:
                package.writestr(path, paper_text(papers[path]).encode("utf-8"))
            else:
                with package.open(path, "w", force_zip64=True) as target:
                    for block in _evidence_blocks(by_path[path]):
                        target.write(block)
            count += 1
        listed = []
        for paper in sorted(addenda, key=lambda p: p.pk):
            text = paper_text(paper)
            package.writestr(_paper_path(paper), text.encode("utf-8"))
            listed.append({"path": _paper_path(paper), "sha256": sha256_text(text)})
            count += 1
        package.writestr(ADDENDA, canonical_json({"addenda": listed}).encode("utf-8"))
    return count


@dataclass(frozen=True, kw_only=True)
class PackageCheck:
    """What verifying a package found: OK, or the first file that does not match and why."""

    ok: bool
    checked: int
    first_bad: str = ""
    problem: str = ""
    addenda: int = 0


def _hash_member(package: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with package.open(name) as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def verify_package(path: Path) -> PackageCheck:
    """Check a package offline: the manifest against the seal, every file against the
    manifest (in its order), the addenda against their list, and nothing unlisted."""
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        for required in (MANIFEST, SEAL, ADDENDA):
            if required not in names:
                return PackageCheck(ok=False, checked=0, first_bad=required, problem="missing")
        seal_info = json.loads(package.read(SEAL))
        if _hash_member(package, MANIFEST) != seal_info.get("manifest_sha256"):
            return PackageCheck(ok=False, checked=0, first_bad=MANIFEST, problem="altered")
        manifest = json.loads(package.read(MANIFEST))
        checked = 0
        listed = {MANIFEST, SEAL, ADDENDA}
        entries = [*manifest.get("files", [])]
        addenda = json.loads(package.read(ADDENDA)).get("addenda", [])
        for entry in [*entries, *addenda]:
            name = entry["path"]
            listed.add(name)
            if name not in names:
                return PackageCheck(ok=False, checked=checked, first_bad=name, problem="missing")
            if _hash_member(package, name) != entry["sha256"]:
                return PackageCheck(ok=False, checked=checked, first_bad=name, problem="altered")
            checked += 1
        extra = sorted(names - listed)
        if extra:
            return PackageCheck(ok=False, checked=checked, first_bad=extra[0], problem="unlisted")
        return PackageCheck(ok=True, checked=checked, addenda=len(addenda))
