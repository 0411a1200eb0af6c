"""Evidence files: attach one to an object as proof, read it back only if its bytes still hold.

Apps whose objects take evidence register them (`register_supported`) with the permission
that reads and the one that attaches; `attach_evidence` checks both, the file's size and
kind, streams it through SHA-256, records the hash in the audit chain and stores it under
a name of kitei's choosing. Nothing changes or deletes a file afterwards (DESIGN 8).
"""

from __future__ import annotations

import hashlib
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from kitei.core import access
from kitei.core.choices import CoreAuditAction
from kitei.core.evidence_types import SNIFF_BYTES, TextCheck, check_content, kind_of_name
from kitei.core.models import EvidenceFile, Organization, evidence_storage
from kitei.core.services import record_change

CHUNK = 1 << 16


@dataclass(frozen=True, kw_only=True)
class Support:
    """Who reads and who attaches the evidence of one kind of object.

    `visible` narrows reading to the people who may see the object itself (an app whose
    objects are need-to-know inside the organisation passes its own test): without it the
    permission `read` is enough.
    """

    read: access.Permission
    attach: access.Permission
    visible: Callable[[Any, Any], bool] | None = None


_SUPPORTED: dict[str, Support] = {}


def register_supported(
    model: type[models.Model],
    *,
    read: access.Permission,
    attach: access.Permission,
    visible: Callable[[Any, Any], bool] | None = None,
) -> None:
    """Let objects of `model` take evidence; called by the owning app's AppConfig.ready."""
    _SUPPORTED[model._meta.label_lower] = Support(read=read, attach=attach, visible=visible)


def support_of(model: type[models.Model]) -> Support:
    """The permissions of evidence on `model`; models no app registered take none."""
    found = _SUPPORTED.get(model._meta.label_lower)
    if found is None:
        raise ValidationError(
            _("この対象には証拠ファイルを添付できません（%(model)s）。")
            % {"model": model._meta.verbose_name},
            code="unsupported",
        )
    return found


def max_bytes() -> int:
    """The largest evidence file accepted (KITEI_EVIDENCE_MAX_BYTES)."""
    return int(settings.EVIDENCE_MAX_BYTES)


@dataclass(frozen=True, kw_only=True)
class Inspected:
    """What streaming an upload found: its digest, size and content type."""

    sha256: str
    size: int
    content_type: str


def _size_text(size: int) -> str:
    """A size as people read it (20.0 MB), with a plain space to fit one line of text."""
    return str(filesizeformat(size)).replace("\xa0", " ")


def _too_large(name: str, size: int) -> ValidationError:
    return ValidationError(
        _("「%(name)s」は大きすぎます（%(size)s）。添付できるのは %(limit)s までです。")
        % {"name": name, "size": _size_text(size), "limit": _size_text(max_bytes())},
        code="size",
    )


def inspect_upload(upload: File[Any], name: str) -> Inspected:
    """Stream the upload once: SHA-256, size and kind; refused (ValidationError) on any limit."""
    kind = kind_of_name(name)
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise _too_large(name, upload.size)  # before reading a byte of it
    digest, size, head, text = hashlib.sha256(), 0, b"", TextCheck()
    upload.seek(0)
    for block in upload.chunks(CHUNK):
        size += len(block)
        if size > limit:  # the announced size may be wrong: count what arrives
            raise _too_large(name, size)
        digest.update(block)
        if len(head) < SNIFF_BYTES:
            head += block[: SNIFF_BYTES - len(head)]
        if kind.text:
            text.feed(block)
    if size == 0:
        raise ValidationError(_("「%(name)s」は空のファイルです。") % {"name": name}, code="empty")
    if kind.text:
        text.feed(b"", final=True)
    if upload.file is None:
        raise ValueError("the upload has no open file")
    content_type = check_content(kind, name, head, upload.file, text)
    return Inspected(sha256=digest.hexdigest(), size=size, content_type=content_type)


def _original_name(upload: File[Any]) -> str:
    """The uploaded file's own name without folders, cut to 255 characters (extension kept)."""
    name = str(upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise ValidationError(_("ファイル名がありません。"), code="name")
    if len(name) > 255:
        dot = name.rfind(".")
        extension = name[dot:] if dot > 0 and len(name) - dot <= 10 else ""
        name = name[: 255 - len(extension)] + extension
    return name


def _check_date(evidence_date: date | None) -> date:
    if not isinstance(evidence_date, date):
        raise ValidationError(_("証拠の日付を入力してください。"), code="evidence_date")
    if evidence_date > timezone.localdate():
        raise ValidationError(_("証拠の日付に未来の日付は指定できません。"), code="evidence_date")
    return evidence_date


@transaction.atomic
def attach_evidence(
    organization: Organization,
    *,
    actor: access.User,
    obj: models.Model,
    upload: File[Any],
    evidence_date: date,
    description: str = "",
) -> EvidenceFile:
    """Keep an uploaded file as evidence for `obj`, its SHA-256 and size in the audit chain.

    The row and its ChangeRecord are written first and the file last, inside the same
    transaction: a refused or failed write leaves neither a row without its file nor a
    file without its row.
    """
    access.require(actor, "evidence.attach", organization)
    access.require(actor, support_of(type(obj)).attach, organization)
    if getattr(obj, "organization_id", None) != organization.pk:
        raise ValidationError(_("別の組織の記録には添付できません。"), code="organization")
    evidence_date = _check_date(evidence_date)
    name = _original_name(upload)
    inspected = inspect_upload(upload, name)
    extension = name[name.rfind(".") :].lower()
    stored_name = f"{organization.pk}/{timezone.localdate():%Y}/{uuid.uuid4().hex}{extension}"
    evidence = EvidenceFile(
        organization=organization,
        file=stored_name,
        sha256=inspected.sha256,
        size=inspected.size,
        content_type=inspected.content_type,
        original_name=name,
        uploaded_by=actor if isinstance(actor, User) else None,
        uploaded_by_name=str(actor.get_username()),
        evidence_date=evidence_date,
        description=description.strip(),
        supports_type=ContentType.objects.get_for_model(obj),
        supports_id=obj.pk,
    )
    evidence.save()
    record_change(
        organization,
        actor=actor,
        action=CoreAuditAction.ATTACH_EVIDENCE,
        obj=evidence,
        after=_audited(evidence),
    )
    _store(stored_name, upload)
    return evidence


def _audited(evidence: EvidenceFile) -> dict[str, Any]:
    """What the audit chain keeps of an evidence file: enough to recognise its bytes."""
    return {
        "sha256": evidence.sha256,
        "size": evidence.size,
        "name": evidence.original_name,
        "content_type": evidence.content_type,
        "evidence_date": evidence.evidence_date.isoformat(),
        "description": evidence.description,
        "stored_as": evidence.file.name,
        "supports": {
            "type": f"{evidence.supports_type.app_label}.{evidence.supports_type.model}",
            "id": str(evidence.supports_id),
        },
    }


def _store(name: str, upload: File[Any]) -> None:
    """Write the bytes under exactly `name`; a partial file is removed when the write fails."""
    storage = evidence_storage()
    upload.seek(0)
    try:
        stored = storage.save(name, upload)
        if stored != name:  # the storage chose another name: the row would not find it
            storage.delete(stored)
            raise RuntimeError(f"evidence storage stored {name} as {stored}")
    except BaseException:
        if storage.exists(name):
            storage.delete(name)
        raise


class EvidenceUnavailableError(Exception):
    """The stored bytes of an evidence file are missing or no longer hash to its SHA-256."""

    def __init__(self, evidence: EvidenceFile, problem: str) -> None:
        super().__init__(f"evidence #{evidence.pk} {evidence.original_name}: {problem}")
        self.evidence = evidence
        self.problem = problem


def _read(evidence: EvidenceFile) -> Iterator[bytes]:
    """The stored bytes in blocks; EvidenceUnavailableError when the storage has no such file."""
    storage = evidence_storage()
    try:
        handle = storage.open(evidence.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise EvidenceUnavailableError(evidence, "missing") from None
    with handle:
        yield from handle.chunks(CHUNK)


def _checked(evidence: EvidenceFile, digest: str) -> None:
    if digest != evidence.sha256:
        raise EvidenceUnavailableError(evidence, "altered")


def check_stored(evidence: EvidenceFile) -> None:
    """Re-hash the stored bytes; EvidenceUnavailableError (missing or altered) unless they hold."""
    digest = hashlib.sha256()
    for block in _read(evidence):
        digest.update(block)
    _checked(evidence, digest.hexdigest())


def open_verified(evidence: EvidenceFile) -> IO[bytes]:
    """A copy of the stored bytes, verified against the SHA-256, for serving exactly those."""
    copy = tempfile.SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115 - the response closes it
    digest = hashlib.sha256()
    try:
        for block in _read(evidence):
            digest.update(block)
            copy.write(block)
        _checked(evidence, digest.hexdigest())
    except BaseException:
        copy.close()
        raise
    copy.seek(0)
    return copy


def evidence_for(
    organization: Organization, objects: Iterable[models.Model]
) -> dict[int, list[EvidenceFile]]:
    """The evidence of each object (by pk), oldest first, in one query."""
    objects = list(objects)
    if not objects:
        return {}
    content_type = ContentType.objects.get_for_model(objects[0])
    found: dict[int, list[EvidenceFile]] = {}
    rows = access.scoped(EvidenceFile.objects.all(), organization).filter(
        supports_type=content_type, supports_id__in=[o.pk for o in objects]
    )
    for evidence in rows.order_by("uploaded_at", "pk"):
        found.setdefault(evidence.supports_id, []).append(evidence)
    return found


@dataclass(frozen=True, kw_only=True)
class VerifyResult:
    """What `verify_evidence` found: how many files it checked and those that failed."""

    checked: int
    failures: tuple[EvidenceUnavailableError, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


def verify_evidence(organization: Organization | None = None) -> VerifyResult:
    """Re-hash every stored evidence file (of one organisation, or all) against the database."""
    rows = EvidenceFile.objects.select_related("organization").order_by("organization_id", "pk")
    if organization is not None:
        rows = rows.filter(organization=organization)
    checked, failures = 0, []
    for evidence in rows.iterator(chunk_size=500):
        checked += 1
        try:
            check_stored(evidence)
        except EvidenceUnavailableError as exc:
            failures.append(exc)
    return VerifyResult(checked=checked, failures=tuple(failures))
