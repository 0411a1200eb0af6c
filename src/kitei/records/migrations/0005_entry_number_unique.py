"""Every entry's 記録番号 is unique within its organisation's book."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0004_number_entries"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="recordentry",
            constraint=models.UniqueConstraint(
                fields=("organization", "book", "number"), name="entry_number_in_book"
            ),
        ),
    ]
