"""入力回数制限: failed logins per address and per account; logins as such are never limited."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

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
    people = [make_person(mito, f"staff{n}", f"職員 {n}") for n in range(200)]
    for person in people:  # far more than allauth's default of 30 logins a minute per address
        assert sign_in(_from("192.0.2.1"), person.user.username)["Location"] == "/"
    # A few typos among them do not shut the address either.
    for person in people[:5]:
        assert WRONG in sign_in(_from("192.0.2.1"), person.user.username, "typo").content.decode()
    assert sign_in(_from("192.0.2.1"), "staff199")["Location"] == "/"
    # One account failing again and again is locked, from that same address, and only it.
    for _ in range(5):
        sign_in(_from("192.0.2.1"), "staff7", "guess-password")
    assert LOCKED in sign_in(_from("192.0.2.1"), "staff7").content.decode()
    assert lockout.state(people[7].user).locked
    assert sign_in(_from("192.0.2.1"), "staff8")["Location"] == "/"


def _address(remote: str, forwarded: str | None = None) -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return lockout.client_address(RequestFactory().get("/", **meta))


def test_x_forwarded_for_is_believed_only_from_a_listed_proxy(settings: Any) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/24"]
    # From a listed proxy: the address it appended.
    assert _address("127.0.0.1", "198.51.100.1") == "198.51.100.1"
    assert _address("10.0.0.5", "198.51.100.1") == "198.51.100.1"
    # From anyone else the header is the client's own claim: ignored.
    assert _address("203.0.113.9", "198.51.100.1") == "203.0.113.9"
    # Through two listed proxies (the outer one appended the client, the inner the outer).
    assert _address("127.0.0.1", "198.51.100.1, 10.0.0.7") == "198.51.100.1"
    # What the client put in front of the header is not read.
    assert _address("127.0.0.1", "192.0.2.99, 198.51.100.1") == "198.51.100.1"
    # Without the header, or with garbage in it, the proxy's own (or the last proxy's).
    assert _address("127.0.0.1") == "127.0.0.1"
    assert _address("127.0.0.1", "") == "127.0.0.1"
    assert _address("127.0.0.1", "198.51.100.1, not-an-address, 10.0.0.7") == "10.0.0.7"
    # Ports, brackets and IPv4 written as IPv6 are the same addresses.
    assert _address("::ffff:127.0.0.1", "[2001:db8::5]:443") == "2001:db8::5"
    assert _address("127.0.0.1", "198.51.100.1:51234") == "198.51.100.1"


def test_without_listed_proxies_the_header_is_never_read(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    assert _address("127.0.0.1", "198.51.100.1") == "127.0.0.1"


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_address_counts_apart(mito: Any, settings: Any) -> None:
    settings.LOGIN_FAILED_PER_ADDRESS = "3/15m"
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
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
    # The blocked client cannot get round the wait by sending the header to kitei directly.
    direct = _from("198.51.100.1", HTTP_X_FORWARDED_FOR="192.0.2.50")
    assert FROM_ADDRESS in sign_in(direct, "suzuki").content.decode()


@pytest.mark.django_db
def test_a_forged_header_from_outside_does_not_dodge_the_address_limit(
    mito: Any, settings: Any
) -> None:
    settings.LOGIN_FAILED_PER_ADDRESS = "3/15m"
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    make_person(mito, "suzuki", "鈴木 花子")
    for n in range(3):  # each failure claims another address: all count for 203.0.113.9
        client = _from("203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        sign_in(client, f"user{n}", "guess-password")
    again = _from("203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert FROM_ADDRESS in sign_in(again, "suzuki").content.decode()


@pytest.mark.django_db
def test_unlock_lets_the_account_sign_in_at_once(mito: Any) -> None:
    suzuki = make_person(mito, "suzuki", "鈴木 花子")
    for _ in range(5):
        sign_in(Client(), "suzuki", "guess-password")
    assert LOCKED in sign_in(Client(), "suzuki").content.decode()
    lockout.unlock(suzuki.user)
    assert lockout.state(suzuki.user) == lockout.LockState(failures=0, locked=False)
    assert sign_in(Client(), "suzuki")["Location"] == "/"
