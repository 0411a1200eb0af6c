"""Every request's 申請番号 is unique within its organisation."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0004_number_requests"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="request",
            constraint=models.UniqueConstraint(
                fields=("organization", "number"), name="request_number"
            ),
        ),
    ]
