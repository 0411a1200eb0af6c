"""Partial indexes on who manages and operates a system (issue 16); see System.Meta."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("systems", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="system",
            index=models.Index(
                condition=models.Q(("manager__isnull", False)),
                fields=["manager", "organization"],
                name="system_manager",
            ),
        ),
        migrations.AddIndex(
            model_name="system",
            index=models.Index(
                condition=models.Q(("operator__isnull", False)),
                fields=["operator", "organization"],
                name="system_operator",
            ),
        ),
    ]
