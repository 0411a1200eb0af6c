"""入力回数制限: failed logins per address and per account; logins as such are never limited."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from kitei.core import lockout

from ..conftest import make_person
from .otp import sign_in
from .test_login import LOCKED, WRONG

FROM_ADDRESS = "この端末（アドレス）からのログインの失敗が続いたため、しばらくログインできません"


def _from(address: str, **headers: str) -> Client:
    """A browser at `address` (as the server sees the connection)."""
    return Client(REMOTE_ADDR=address, **headers)


def test_the_limits_count_failures_and_come_from_the_environment() -> None:
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "50/15m/ip,5/15m/key"
    assert settings.ACCOUNT_RATE_LIMITS["login"] == ""  # logins as such are not limited


@pytest.mark.django_db
def test_failures_from_one_address_make_it_wait_without_locking_the_accounts(
    mito: Any, settings: Any
) -> None:
    settings.LOGIN_FAILED_PER_ADDRESS = "6/15m"
    suzuki = make_person(mito, "suzuki", "鈴木 花子")
    for n in range(6):  # one guess at each of six accounts: under every account's limit
        assert WRONG in sign_in(_from("192.0.2.7"), f"user{n}", "guess-password").content.decode()
    refused = sign_in(_from("192.0.2.7"), "suzuki").content.decode()
    assert FROM_ADDRESS in refused
    assert LOCKED not in refused
    # The account itself is not locked: from another address its owner signs in.
    assert sign_in(_from("192.0.2.8"), "suzuki")["Location"] == "/"
    assert not lockout.state(suzuki.user).locked


@pytest.mark.django_db
def test_a_locked_account_does_not_use_up_its_address(mito: Any, settings: Any) -> None:
    settings.LOGIN_FAILED_PER_ADDRESS = "8/15m"
    suzuki = make_person(mito, "suzuki", "鈴木 花子")
    make_person(mito, "takahashi", "高橋 健太")
    for _ in range(5):
        sign_in(_from("192.0.2.7"), "suzuki", "guess-password")
    assert lockout.state(suzuki.user) == lockout.LockState(failures=5, locked=True)
    for _ in range(10):  # refused before any password is checked: the address guessed nothing
        assert LOCKED in sign_in(_from("192.0.2.7"), "suzuki").content.decode()
    assert sign_in(_from("192.0.2.7"), "takahashi")["Location"] == "/"


@pytest.mark.django_db
def test_a_whole_department_behind_one_address_signs_in_at_830(mito: Any) -> None:
    people = [make_person(mito, f"staff{n}", f"職員 {n}") for n in range(40)]
    for person in people:  # more than allauth's default of 30 logins a minute per address
        assert sign_in(_from("192.0.2.1"), person.user.username)["Location"] == "/"
    # A few typos among them do not shut the address either.
    for person in people[:5]:
        assert WRONG in sign_in(_from("192.0.2.1"), person.user.username, "typo").content.decode()
    assert sign_in(_from("192.0.2.1"), "staff39")["Location"] == "/"


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_address_counts_apart(mito: Any, settings: Any) -> None:
    settings.LOGIN_FAILED_PER_ADDRESS = "3/15m"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    make_person(mito, "suzuki", "鈴木 花子")
    proxy = "127.0.0.1"
    for n in range(3):
        client = _from(proxy, HTTP_X_FORWARDED_FOR="198.51.100.1")
        sign_in(client, f"user{n}", "guess-password")
    blocked = _from(proxy, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert FROM_ADDRESS in sign_in(blocked, "suzuki").content.decode()
    # Another client behind the same proxy; a forged first entry is not believed.
    other = _from(proxy, HTTP_X_FORWARDED_FOR="198.51.100.1, 198.51.100.2")
    assert sign_in(other, "suzuki")["Location"] == "/"


@pytest.mark.django_db
def test_unlock_lets_the_account_sign_in_at_once(mito: Any) -> None:
    suzuki = make_person(mito, "suzuki", "鈴木 花子")
    for _ in range(5):
        sign_in(Client(), "suzuki", "guess-password")
    assert LOCKED in sign_in(Client(), "suzuki").content.decode()
    lockout.unlock(suzuki.user)
    assert lockout.state(suzuki.user) == lockout.LockState(failures=0, locked=False)
    assert sign_in(Client(), "suzuki")["Location"] == "/"
