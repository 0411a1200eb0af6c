"""API tokens expire by default: ApiTokenLifetime (an organisation's period), and tokens
issued without an expiry before this migration get kitei's default period from now.

A table of its own, so core_organization (watched by the audit guard triggers of 0006) is
not rebuilt on SQLite.
"""

from datetime import timedelta
from typing import Any

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

DEFAULT_LIFETIME_DAYS = 90  # kitei.core.tokens.DEFAULT_LIFETIME_DAYS when this was written


def expire_open_tokens(apps: Any, schema_editor: Any) -> None:
    """Tokens that never expired now expire after kitei's default period."""
    token = apps.get_model("core", "ApiToken")
    until = timezone.now() + timedelta(days=DEFAULT_LIFETIME_DAYS)
    token.objects.filter(expires_at__isnull=True, revoked_at__isnull=True).update(expires_at=until)


class Migration(migrations.Migration):
    dependencies = [("core", "0008_number_counter")]

    operations = [
        migrations.CreateModel(
            name="ApiTokenLifetime",
            fields=[
                (
                    "organization",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="core.organization",
                    ),
                ),
                ("days", models.PositiveIntegerField(verbose_name="APIトークンの有効期間（日）")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新日時")),
            ],
            options={
                "verbose_name": "APIトークンの有効期間",
                "verbose_name_plural": "APIトークンの有効期間",
            },
        ),
        migrations.RunPython(expire_open_tokens, migrations.RunPython.noop),
    ]
