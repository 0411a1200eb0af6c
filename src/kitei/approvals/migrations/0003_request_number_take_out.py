"""Requests: 申請番号 per organisation and fiscal year, and the take-out's 持出先・目的・dates."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0002_request_department"),
        ("core", "0008_number_counter"),
    ]

    operations = [
        migrations.AddField(
            model_name="request",
            name="number",
            field=models.CharField(default="", max_length=16, verbose_name="申請番号"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="request",
            name="destination",
            field=models.CharField(blank=True, max_length=200, verbose_name="持出先"),
        ),
        migrations.AddField(
            model_name="request",
            name="purpose",
            field=models.TextField(blank=True, verbose_name="目的"),
        ),
        migrations.AddField(
            model_name="request",
            name="planned_take_out_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="持出予定日時"),
        ),
        migrations.AddField(
            model_name="request",
            name="planned_return_on",
            field=models.DateField(blank=True, null=True, verbose_name="返却予定日"),
        ),
    ]
