"""Indexes for the home page's figures and an asset's copies at scale (issue 16).

Partial indexes: the assets in use by status and department, the disposed ones, and the
copies by name; see Asset.Meta.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0004_asset_disposed"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="asset",
            index=models.Index(
                condition=models.Q(("disposed_at__isnull", True)),
                fields=["organization", "classification_status", "department"],
                name="asset_live",
            ),
        ),
        migrations.AddIndex(
            model_name="asset",
            index=models.Index(
                condition=models.Q(("disposed_at__isnull", False)),
                fields=["organization", "disposed_at"],
                name="asset_disposed",
            ),
        ),
        migrations.AddIndex(
            model_name="asset",
            index=models.Index(
                condition=models.Q(("copy_of__isnull", False)),
                fields=["copy_of", "name"],
                name="asset_copies",
            ),
        ),
    ]
