"""Memberships: an account may belong to several organisations, each for a period.

Person.user becomes a foreign key (one Person per account and organisation) and every
existing Person with an account gets one open-ended membership of kind 職員等 (member) in
its organisation, so that everyone keeps exactly the access they had.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CREATED_BY = "migration people 0003"


def one_membership_per_account(apps: Any, schema_editor: Any) -> None:
    """Each Person with an account: an open-ended member's membership in its organisation."""
    person_model = apps.get_model("people", "Person")
    membership_model = apps.get_model("people", "Membership")
    db = schema_editor.connection.alias
    people = person_model.objects.using(db).filter(user__isnull=False).order_by("pk")
    membership_model.objects.using(db).bulk_create(
        membership_model(
            user_id=p.user_id,
            organization_id=p.organization_id,
            person_id=p.pk,
            kind="member",
            created_by=CREATED_BY,
        )
        for p in people.only("pk", "user_id", "organization_id")
    )


def no_memberships(apps: Any, schema_editor: Any) -> None:
    """Going back: the table is dropped by the schema operations; nothing to undo first."""


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_evidence_file"),
        ("people", "0002_roleassignment_system_fk"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("member", "職員等"),
                            ("external_auditor", "外部監査人"),
                            ("support", "支援団体（情報セキュリティクラウド等）"),
                        ],
                        default="member",
                        max_length=32,
                        verbose_name="所属の種類",
                    ),
                ),
                ("valid_from", models.DateField(blank=True, null=True, verbose_name="開始日")),
                ("valid_until", models.DateField(blank=True, null=True, verbose_name="終了日")),
                (
                    "created_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="所属の登録日時"),
                ),
                ("created_by", models.CharField(max_length=150, verbose_name="所属の登録者")),
            ],
            options={
                "verbose_name": "所属（メンバーシップ）",
                "verbose_name_plural": "所属（メンバーシップ）",
                "ordering": ["organization_id", "user_id", "valid_from"],
            },
        ),
        migrations.AlterField(
            model_name="person",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="persons",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.UniqueConstraint(
                fields=("user", "organization"), name="person_user_organization"
            ),
        ),
        migrations.AddField(
            model_name="membership",
            name="organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="memberships",
                to="core.organization",
            ),
        ),
        migrations.AddField(
            model_name="membership",
            name="person",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="memberships",
                to="people.person",
                verbose_name="職員",
            ),
        ),
        migrations.AddField(
            model_name="membership",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="memberships",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(fields=["user", "organization"], name="membership_user_org"),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("valid_until__isnull", True),
                    ("valid_from__isnull", True),
                    ("valid_until__gte", models.F("valid_from")),
                    _connector="OR",
                ),
                name="membership_period",
            ),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "external_auditor"), _negated=True),
                    ("valid_until__isnull", False),
                    _connector="OR",
                ),
                name="membership_auditor_time_boxed",
            ),
        ),
        migrations.RunPython(one_membership_per_account, no_memberships),
    ]
