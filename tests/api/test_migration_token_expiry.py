"""core/0009: tokens issued without an expiry before it get kitei's default period."""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from kitei.core.models import ApiToken
from kitei.core.tokens import DEFAULT_LIFETIME_DAYS, create_api_token
from tests.conftest import SETUP

MIGRATION = importlib.import_module("kitei.core.migrations.0009_api_token_lifetime")


@pytest.mark.django_db
def test_open_tokens_get_the_default_period_and_revoked_ones_are_left(suzuki: Any) -> None:
    assert MIGRATION.DEFAULT_LIFETIME_DAYS == DEFAULT_LIFETIME_DAYS
    open_token, _plain = create_api_token(suzuki.user, actor=SETUP)
    revoked, _plain = create_api_token(suzuki.user, actor=SETUP)
    ApiToken.objects.filter(pk=open_token.pk).update(expires_at=None)
    ApiToken.objects.filter(pk=revoked.pk).update(expires_at=None, revoked_at=timezone.now())
    MIGRATION.expire_open_tokens(apps, None)
    open_token.refresh_from_db()
    revoked.refresh_from_db()
    assert open_token.expires_at is not None
    remaining = open_token.expires_at - timezone.now()
    assert timedelta(days=DEFAULT_LIFETIME_DAYS - 1) < remaining <= timedelta(days=90)
    assert revoked.expires_at is None
