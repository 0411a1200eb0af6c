"""Numbering per organisation and fiscal year: NumberCounter (R8-0001)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_task_progress"),
    ]

    operations = [
        migrations.CreateModel(
            name="NumberCounter",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=80, verbose_name="種類")),
                ("fiscal_year", models.PositiveSmallIntegerField(verbose_name="年度")),
                ("last", models.PositiveIntegerField(default=0, verbose_name="最後の番号")),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.organization",
                    ),
                ),
            ],
            options={
                "verbose_name": "採番",
                "verbose_name_plural": "採番",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("organization", "kind", "fiscal_year"), name="one_counter_per_year"
                    )
                ],
            },
        ),
    ]
