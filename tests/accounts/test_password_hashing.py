"""Password storage: Argon2id at OWASP's parameters in production; older hashes upgraded at login.

The test settings hash with MD5 to stay fast; these tests switch to kitei's own list.
"""

from __future__ import annotations

from typing import Any

import argon2
import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import Client, override_settings

from kitei import settings as production
from kitei.core.passwords import OwaspArgon2idHasher

from ..conftest import PASSWORD, make_person
from .otp import sign_in

# OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB (19456 KiB), t=2, p=1.
OWASP = (argon2.Type.ID, 19, 2, 19456, 1)


def _parameters(encoded: str) -> tuple[argon2.Type, int, int, int, int]:
    """(type, version, time cost, memory cost in KiB, parallelism) of a stored hash."""
    algorithm, rest = encoded.split("$", 1)
    assert algorithm == "argon2"
    p = argon2.extract_parameters("$" + rest)
    return (p.type, p.version, p.time_cost, p.memory_cost, p.parallelism)


def test_production_settings_hash_with_argon2id_at_owasp_parameters() -> None:
    assert production.PASSWORD_HASHERS[0] == "kitei.core.passwords.OwaspArgon2idHasher"
    # Every stored kind Django wrote before stays readable (then upgraded).
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in production.PASSWORD_HASHERS
    encoded = OwaspArgon2idHasher().encode(PASSWORD, OwaspArgon2idHasher().salt())
    assert _parameters(encoded) == OWASP
    assert OwaspArgon2idHasher().verify(PASSWORD, encoded)
    assert not OwaspArgon2idHasher().verify("another-passw0rd!", encoded)


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS)
@pytest.mark.parametrize(
    "old",
    [
        pytest.param(lambda: make_password(PASSWORD, hasher="pbkdf2_sha256"), id="pbkdf2"),
        pytest.param(
            # Django's own Argon2 parameters (m=100 MiB, p=8): the same algorithm name.
            lambda: (
                "argon2"
                + argon2.PasswordHasher(time_cost=2, memory_cost=102400, parallelism=8).hash(
                    PASSWORD
                )
            ),
            id="argon2-other-parameters",
        ),
    ],
)
def test_an_older_hash_is_replaced_by_argon2id_at_the_next_login(mito: Any, old: Any) -> None:
    person = make_person(mito, "suzuki", "鈴木 花子")
    user = person.user
    user.password = old()
    user.save(update_fields=["password"])
    before = user.password
    if before.startswith("argon2"):
        assert _parameters(before) != OWASP

    assert sign_in(Client(), "suzuki", "wrong-passw0rd!").status_code == 200
    user.refresh_from_db()
    assert user.password == before  # a failed login changes nothing

    assert sign_in(Client(), "suzuki")["Location"] == "/"
    user.refresh_from_db()
    assert user.password != before
    assert identify_hasher(user.password).algorithm == "argon2"
    assert _parameters(user.password) == OWASP
    # And the new hash still lets its owner in (no second rehash).
    upgraded = user.password
    assert sign_in(Client(), "suzuki")["Location"] == "/"
    user.refresh_from_db()
    assert user.password == upgraded
