"""Evidence files; on PostgreSQL a trigger refuses UPDATE and DELETE of their rows."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import kitei.core.models
from kitei.core.immutable import refuse_changes


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0004_pack_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="EvidenceFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=255,
                        storage=kitei.core.models.evidence_storage,
                        upload_to="",
                        verbose_name="ファイル",
                    ),
                ),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("size", models.PositiveBigIntegerField(verbose_name="サイズ（バイト）")),
                ("content_type", models.CharField(max_length=100, verbose_name="ファイルの種類")),
                ("original_name", models.CharField(max_length=255, verbose_name="ファイル名")),
                ("uploaded_by_name", models.CharField(max_length=150, verbose_name="登録者")),
                (
                    "uploaded_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="登録日時"
                    ),
                ),
                ("evidence_date", models.DateField(verbose_name="証拠の日付")),
                ("description", models.TextField(blank=True, verbose_name="説明")),
                ("supports_id", models.PositiveBigIntegerField()),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organization",
                    ),
                ),
                (
                    "supports_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "証拠ファイル",
                "verbose_name_plural": "証拠ファイル",
                "ordering": ["organization_id", "uploaded_at", "pk"],
                "indexes": [
                    models.Index(
                        fields=["supports_type", "supports_id"],
                        name="core_eviden_support_4ad841_idx",
                    )
                ],
            },
        ),
        refuse_changes(
            "core_evidencefile",
            function="kitei_evidence_file_immutable",
            trigger="core_evidencefile_immutable",
            what="evidence files are immutable",
        ),
    ]
