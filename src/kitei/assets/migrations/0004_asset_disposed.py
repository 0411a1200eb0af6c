"""Assets: 廃棄済み (when, and the disposal record entry that completed it)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0003_list_indexes"),
        ("records", "0002_entry_awaits_person_about"),
    ]

    operations = [
        migrations.AddField(
            model_name="asset",
            name="disposed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="廃棄日時"),
        ),
        migrations.AddField(
            model_name="asset",
            name="disposed_by_entry",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="records.recordentry",
                verbose_name="廃棄の記録",
            ),
        ),
    ]
