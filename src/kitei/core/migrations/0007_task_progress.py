"""Background imports: TaskProgress, the state and progress of a register import task."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_audit_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TaskProgress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=32, verbose_name="種類")),
                ("started_by_name", models.CharField(max_length=150, verbose_name="開始した人")),
                (
                    "file_name",
                    models.CharField(blank=True, max_length=255, verbose_name="ファイル名"),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "待機中"),
                            ("checking", "確認中"),
                            ("writing", "書き込み中"),
                            ("succeeded", "完了"),
                            ("invalid", "誤りがあるため取り込んでいません"),
                            ("refused", "権限がないため中止しました"),
                            ("failed", "エラーのため中止しました"),
                        ],
                        default="queued",
                        max_length=16,
                        verbose_name="状態",
                    ),
                ),
                ("total", models.PositiveIntegerField(default=0, verbose_name="行数")),
                ("done", models.PositiveIntegerField(default=0, verbose_name="確認した行数")),
                ("summary", models.TextField(blank=True, verbose_name="結果")),
                ("errors", models.JSONField(default=list, verbose_name="誤り")),
                ("error_count", models.PositiveIntegerField(default=0, verbose_name="誤りの件数")),
                ("upload", models.BinaryField(default=b"")),
                ("options", models.JSONField(default=dict)),
                ("task_id", models.CharField(blank=True, max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="開始日時")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新日時")),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="終了日時"),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organization",
                    ),
                ),
                (
                    "started_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "バックグラウンドの取り込み",
                "verbose_name_plural": "バックグラウンドの取り込み",
                "ordering": ["organization_id", "-created_at"],
            },
        ),
    ]
