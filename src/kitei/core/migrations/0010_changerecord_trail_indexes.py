# The audit trail page's filters read these indexes newest first (AddIndex only: the
# append-only triggers of 0002 and 0006 stay; SQLite does not remake the table for it).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0009_api_token_lifetime"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="changerecord",
            index=models.Index(
                fields=["organization", "action", "seq"], name="change_record_action"
            ),
        ),
        migrations.AddIndex(
            model_name="changerecord",
            index=models.Index(
                fields=["organization", "actor_name", "seq"], name="change_record_actor"
            ),
        ),
        migrations.AddIndex(
            model_name="changerecord",
            index=models.Index(
                fields=["organization", "object_type", "object_id", "seq"],
                name="change_record_object",
            ),
        ),
        migrations.AddIndex(
            model_name="changerecord",
            index=models.Index(fields=["organization", "at", "seq"], name="change_record_period"),
        ),
    ]
