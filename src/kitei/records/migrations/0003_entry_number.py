"""Record book entries: 記録番号 within their book, per organisation and fiscal year."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0002_entry_awaits_person_about"),
        ("core", "0008_number_counter"),
    ]

    operations = [
        migrations.AddField(
            model_name="recordentry",
            name="number",
            field=models.CharField(default="", max_length=16, verbose_name="記録番号"),
            preserve_default=False,
        ),
    ]
