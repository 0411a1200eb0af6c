"""Organisations (tenants), the hash-chained audit trail, evidence files, background imports."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kitei.core import audit


class Organization(models.Model):
    """A tenant: one public body running kitei on one policy pack (id, version, digest)."""

    slug = models.SlugField(_("識別子"), max_length=64, unique=True)
    name = models.CharField(_("組織名"), max_length=200)
    pack_id = models.CharField(_("ポリシーパック"), max_length=64)
    pack_version = models.CharField(_("パックの版"), max_length=32)
    pack_digest = models.CharField(_("パックのダイジェスト"), max_length=80)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    # Head of the audit chain: the row is locked while a record is appended, and lets
    # verification notice records cut off the end of the chain.
    chain_seq = models.PositiveBigIntegerField(default=0, editable=False)
    chain_head = models.CharField(max_length=64, default="0" * 64, editable=False)

    class Meta:
        verbose_name = _("組織")
        verbose_name_plural = _("組織")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class ChangeRecord(models.Model):
    """One change to tenant data, chained per organisation by SHA-256; never updated or deleted.

    `hash` = SHA-256 of the previous record's hash and this record's canonical text
    (`kitei.core.chain.canonical_text`); `seq` runs 1, 2, 3 … without gaps per organisation.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField(_("日時"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("実行者"), max_length=150)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("対象の種類"), max_length=64, db_index=True)
    object_id = models.CharField(_("対象"), max_length=64, blank=True)
    before = models.TextField(_("変更前"), blank=True)  # canonical JSON, "" when created
    after = models.TextField(_("変更後"), blank=True)  # canonical JSON, "" when deleted
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("変更記録")
        verbose_name_plural = _("変更記録")
        ordering = ["organization_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "seq"], name="change_record_seq"),
        ]
        # The audit trail page's filters at a million records (bench/audit_page_bench.py):
        # each index ends in seq, so a filtered page is read newest first from the index.
        indexes = [
            models.Index(fields=["organization", "action", "seq"], name="change_record_action"),
            models.Index(fields=["organization", "actor_name", "seq"], name="change_record_actor"),
            models.Index(
                fields=["organization", "object_type", "object_id", "seq"],
                name="change_record_object",
            ),
            # A period's first and last record numbers, read from the index alone.
            models.Index(fields=["organization", "at", "seq"], name="change_record_period"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}#{self.seq} {self.action}"

    @property
    def action_label(self) -> str:
        """The action's Japanese label, as its app declared it (`kitei.core.audit`)."""
        return audit.label(self.action)


class ApiToken(models.Model):
    """A person's key to the JSON API; only its SHA-256 is kept, the token is shown once.

    The token acts as its user inside `organization`; it stops working when revoked, when
    `expires_at` passes, or when the user's membership there ends or the user is deactivated.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(_("用途"), max_length=100, blank=True)
    # The first characters of the token, so a person can tell their tokens apart.
    prefix = models.CharField(_("先頭の文字"), max_length=16)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("発行日時"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最終利用日時"), null=True, blank=True)
    expires_at = models.DateTimeField(_("有効期限"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("APIトークン")
        verbose_name_plural = _("APIトークン")
        ordering = ["organization_id", "-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class ApiTokenLifetime(models.Model):
    """How long an organisation's new API tokens live, when it has set a period of its own.

    No policy seed gives a token lifetime, so without a row kitei's documented operational
    default applies (`kitei.core.tokens.DEFAULT_LIFETIME_DAYS`). A table of its own rather
    than a column of Organization: altering core_organization on SQLite rebuilds it and
    would drop the audit guard triggers on it.
    """

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    days = models.PositiveIntegerField(_("APIトークンの有効期間（日）"))
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("APIトークンの有効期間")
        verbose_name_plural = _("APIトークンの有効期間")

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.days}"


class PackVersion(models.Model):
    """The exact bytes of a pack version some organisation is or was bound to.

    Organisations run the pack they are bound to, not whatever file ships today; a new
    version takes effect only through an explicit, recorded upgrade, and any past decision
    can be replayed against the bytes it was made with.
    """

    digest = models.CharField(max_length=80, unique=True)
    pack_id = models.CharField(max_length=64)
    version = models.CharField(max_length=32)
    source = models.TextField()
    stored_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ポリシーパックの版")
        verbose_name_plural = _("ポリシーパックの版")

    def __str__(self) -> str:
        return f"{self.pack_id} {self.version}"


def evidence_storage() -> Storage:
    """The storage of evidence files: STORAGES["evidence"] (a folder under the data directory)."""
    return storages["evidence"]


class EvidenceQuerySet(models.QuerySet["EvidenceFile"]):
    """Evidence rows are never changed or removed in bulk either."""

    def update(self, **kwargs: Any) -> int:
        raise RuntimeError("evidence files are immutable; attach a new one instead")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RuntimeError("evidence files are immutable; they are never deleted")


class EvidenceFile(models.Model):
    """A file kept as proof of something an object records; immutable, its SHA-256 audited.

    The bytes live on STORAGES["evidence"] under a name kitei chooses; `sha256` and `size`
    are of those bytes and enter the audit chain when the file is attached, so a file
    altered later is noticed (on download, by `kitei evidence verify`, by restore).
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("ファイル"), storage=evidence_storage, max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("サイズ（バイト）"))
    content_type = models.CharField(_("ファイルの種類"), max_length=100)
    original_name = models.CharField(_("ファイル名"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_by_name = models.CharField(_("登録者"), max_length=150)
    uploaded_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    evidence_date = models.DateField(_("証拠の日付"))
    description = models.TextField(_("説明"), blank=True)
    # The object the file supports (a record book entry, an incident, a finding …).
    supports_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    supports_id = models.PositiveBigIntegerField()
    supports = GenericForeignKey("supports_type", "supports_id")

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("証拠ファイル")
        verbose_name_plural = _("証拠ファイル")
        ordering = ["organization_id", "uploaded_at", "pk"]
        indexes = [models.Index(fields=["supports_type", "supports_id"])]

    def __str__(self) -> str:
        return self.original_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: an attached file is never changed."""
        if not self._state.adding:
            raise RuntimeError("evidence files are immutable; attach a new one instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refused: proof is never deleted."""
        raise RuntimeError("evidence files are immutable; they are never deleted")


class TaskState(models.TextChoices):
    """Where a background import stands; moves only along TASK_TRANSITIONS."""

    QUEUED = "queued", _("待機中")
    CHECKING = "checking", _("確認中")
    WRITING = "writing", _("書き込み中")
    SUCCEEDED = "succeeded", _("完了")
    INVALID = "invalid", _("誤りがあるため取り込んでいません")
    REFUSED = "refused", _("権限がないため中止しました")
    FAILED = "failed", _("エラーのため中止しました")


# The one transition table of a background import (DESIGN.md 4).
TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    TaskState.QUEUED: frozenset({TaskState.CHECKING, TaskState.REFUSED, TaskState.FAILED}),
    TaskState.CHECKING: frozenset(
        {TaskState.WRITING, TaskState.INVALID, TaskState.REFUSED, TaskState.FAILED}
    ),
    TaskState.WRITING: frozenset(
        {TaskState.SUCCEEDED, TaskState.INVALID, TaskState.REFUSED, TaskState.FAILED}
    ),
    TaskState.SUCCEEDED: frozenset(),
    TaskState.INVALID: frozenset(),
    TaskState.REFUSED: frozenset(),
    TaskState.FAILED: frozenset(),
}
TASK_FINISHED = frozenset(s for s, moves in TASK_TRANSITIONS.items() if not moves)


class TaskProgress(models.Model):
    """A register import running as a background task: its file, who started it, how far.

    The page that started it polls this row. `upload` and `options` (the file and, for the
    people register, the temporary passwords' hashes) are emptied when the task finishes.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("種類"), max_length=32)  # the register: assets, systems, people
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by_name = models.CharField(_("開始した人"), max_length=150)
    file_name = models.CharField(_("ファイル名"), max_length=255, blank=True)
    state = models.CharField(
        _("状態"), max_length=16, choices=TaskState.choices, default=TaskState.QUEUED
    )
    total = models.PositiveIntegerField(_("行数"), default=0)
    done = models.PositiveIntegerField(_("確認した行数"), default=0)
    summary = models.TextField(_("結果"), blank=True)
    errors = models.JSONField(_("誤り"), default=list)  # Japanese lines, the first SHOWN
    error_count = models.PositiveIntegerField(_("誤りの件数"), default=0)
    upload = models.BinaryField(default=b"")
    options = models.JSONField(default=dict)
    task_id = models.CharField(max_length=64, blank=True)  # the task framework's result id
    created_at = models.DateTimeField(_("開始日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("バックグラウンドの取り込み")
        verbose_name_plural = _("バックグラウンドの取り込み")
        ordering = ["organization_id", "-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.state}"

    @property
    def finished(self) -> bool:
        """Whether the task has ended (whatever the outcome)."""
        return self.state in TASK_FINISHED

    @property
    def percent(self) -> int:
        """Rows checked, as a whole percentage of the file's rows."""
        return min(100, self.done * 100 // self.total) if self.total else 0


class NumberCounter(models.Model):
    """The last number given to one kind of document of an organisation in one fiscal year.

    Requests and record book entries are numbered per organisation and fiscal year (R8-0001,
    `kitei.core.numbering`); the row is locked (SELECT … FOR UPDATE) while the next number is
    taken, in the transaction that writes the document, so two filings never share a number.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("種類"), max_length=80)  # "request", "records:<book id>"
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))  # the year 4月1日 falls in
    last = models.PositiveIntegerField(_("最後の番号"), default=0)

    class Meta:
        verbose_name = _("採番")
        verbose_name_plural = _("採番")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "fiscal_year"], name="one_counter_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.kind} {self.fiscal_year}: {self.last}"
