"""The information asset register (情報資産台帳) with each asset's classification."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kitei.assets.expressions import AxisLevel
from kitei.core.models import Organization
from kitei.people.models import Department, Person
from kitei.systems.models import System

INDEXED_AXES = ("confidentiality", "integrity", "availability", "importance")


class AssetForm(models.TextChoices):
    """How the asset exists."""

    ELECTRONIC = "electronic", _("電磁的記録")
    PAPER = "paper", _("紙")
    MEDIUM = "medium", _("記録媒体")


class Disclosure(models.TextChoices):
    """Whether the asset may be disclosed."""

    PUBLIC = "public", _("公開")
    PARTIAL = "partial", _("一部公開")
    NOT_PUBLIC = "not_public", _("非公開")
    UNDECIDED = "undecided", _("未定")


class ClassificationStatus(models.TextChoices):
    """Whether the class is decided, or unclear and waiting for the role that decides."""

    DECIDED = "decided", _("決定")
    UNCLEAR = "unclear", _("判断待ち")


class Asset(models.Model):
    """An information asset with its class on every axis of the organisation's pack.

    `classification` maps axis id → level id. A copy carries its original's class
    (002 3(2)ア(ウ)); a medium holding several assets carries the highest of theirs and
    its own (3(2)オ(ウ)); services keep both true.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT)
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    description = models.TextField(_("説明"), blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, verbose_name=_("所管部署"))
    owner = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("管理責任者"),
    )
    classification = models.JSONField(_("分類"), default=dict)
    classification_status = models.CharField(
        _("分類の状態"),
        max_length=16,
        choices=ClassificationStatus.choices,
        default=ClassificationStatus.DECIDED,
    )
    form = models.CharField(_("形態"), max_length=16, choices=AssetForm.choices)
    storage_location = models.CharField(_("保管場所"), max_length=200, blank=True)
    system = models.ForeignKey(
        System, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("関連システム")
    )
    retention = models.CharField(_("保存期間"), max_length=64, blank=True)
    disclosure = models.CharField(
        _("公開区分"), max_length=16, choices=Disclosure.choices, default=Disclosure.UNDECIDED
    )
    copy_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="copies",
        verbose_name=_("複製元"),
    )
    contents = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="media", verbose_name=_("収録資産")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True, db_index=True)
    # 廃棄済み: set once, when the disposal record entry of an approved 廃棄 is completed
    # (records.services.complete_disposal → assets.services.dispose_asset). The asset stays
    # in the register for its history, left out of its lists unless asked for. The entry is
    # named by its model label so this lower layer imports nothing of the records app.
    disposed_at = models.DateTimeField(_("廃棄日時"), null=True, blank=True)
    disposed_by_entry = models.ForeignKey(
        "records.RecordEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("廃棄の記録"),
    )

    class Meta:
        verbose_name = _("情報資産")
        verbose_name_plural = _("情報資産")
        ordering = ["organization_id", "-created_at"]
        indexes = [
            models.Index(fields=["organization", "department"]),
            # The register's lists at 100,000 assets (bench/register_bench.py): newest first,
            # counts and name searches read these indexes instead of the whole table.
            models.Index(fields=["organization", "created_at", "id"], name="asset_org_created"),
            models.Index(fields=["organization", "name", "created_at"], name="asset_org_name"),
            *(
                models.Index(
                    F("organization"), AxisLevel(axis), F("created_at"), name=f"asset_{axis[:16]}"
                )
                # Axis ids of the shipped packs; another pack's axes still filter, unindexed.
                for axis in INDEXED_AXES
            ),
            # The home page's figures (queries.counts, issue 16): the assets in use per status
            # and department, and the disposed ones, each in an index of its own part of the
            # register, so no count reads the table whatever the planner's statistics say.
            models.Index(
                fields=["organization", "classification_status", "department"],
                condition=Q(disposed_at__isnull=True),
                name="asset_live",
            ),
            models.Index(
                fields=["organization", "disposed_at"],
                condition=Q(disposed_at__isnull=False),
                name="asset_disposed",
            ),
            # An asset's copies by name (its page). The plain copy_of index holds every asset,
            # nearly all NULL: statistics make it look useless and the planner then reads the
            # whole name index instead; this one holds the copies only.
            models.Index(
                fields=["copy_of", "name"], condition=Q(copy_of__isnull=False), name="asset_copies"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def disposed(self) -> bool:
        """Whether the asset was disposed of (廃棄済み)."""
        return self.disposed_at is not None


class AssetTally(models.Model):
    """How many assets share an organisation, department, status, disposal and class.

    The home page's figures (queries.counts) are sums over these rows — a few hundred per
    organisation, whatever the register's size — instead of counts over the register.
    Written only by triggers on assets_asset (migration 0007, SQLite and PostgreSQL), never
    by kitei's code: every insert, change and delete of an asset, bulk imports and
    `QuerySet.update` included, moves its count in the same transaction. Rows may fall to
    0 and stay.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    department_id = models.BigIntegerField()
    classification_status = models.CharField(max_length=16)
    disposed = models.BooleanField()
    classification = models.JSONField(default=dict)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "organization",
                    "department_id",
                    "classification_status",
                    "disposed",
                    "classification",
                ],
                name="asset_tally_group",
            )
        ]
