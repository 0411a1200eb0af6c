"""入力回数制限: failed logins counted per account and per address; a lock administrators lift.

Two limits, both on failures only (settings LOGIN_FAILED_PER_ACCOUNT / _PER_ADDRESS):
- per account: after N failed passwords (or TOTP codes) the account refuses even the right
  password for a while, whoever tries — so someone can lock a colleague out on purpose, and
  an organisation administrator lifts the lock (`people.services.unlock_account`, recorded);
- per address: N failures from one client address make that address wait, so one machine
  cannot guess at, or lock out, many accounts. Behind a reverse proxy the address is the
  client's only when KITEI_TRUSTED_PROXIES lists the proxy (`client_address`).
An attempt refused by a limit checks no password and counts against nothing else. The
counters are allauth's rate-limit entries in Django's cache (shared by every worker).
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.http import HttpRequest

APP = "allauth.account"
ACTION = "login_failed"


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(text: str) -> IPAddress | None:
    """An address as a proxy writes it (`192.0.2.1`, `2001:db8::1`, `[2001:db8::1]:443`,
    `192.0.2.1:51234`), or None for anything else."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped  # ::ffff:192.0.2.1 is 192.0.2.1
    return address


def client_address(request: HttpRequest) -> str:
    """The client's address for the per-address limit.

    The connection's own address, unless it is one of KITEI_TRUSTED_PROXIES: then
    X-Forwarded-For is read from the right, past the entries that are themselves listed
    proxies, and the first other address is the client's. A client that reaches kitei
    directly cannot choose its address by sending the header, and one that puts addresses
    in front of the header behind the proxy changes nothing (only the entries the listed
    proxies appended are read). A malformed entry stops the walk at the last proxy.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    current = _address(remote)
    if current is None:
        return remote or "unknown"
    networks = _networks(tuple(settings.TRUSTED_PROXIES))

    def trusted(address: IPAddress) -> bool:
        return any(address in network for network in networks)

    if not trusted(current):
        return str(current)
    forwarded = request.headers.get("x-forwarded-for", "")
    for entry in reversed(forwarded.split(",") if forwarded else []):
        address = _address(entry)
        if address is None:
            break
        current = address
        if not trusted(address):
            break
    return str(current)


@dataclass(frozen=True, kw_only=True)
class LockState:
    """An account's failed logins still counted, and whether they have locked it."""

    failures: int
    locked: bool


def account_key(username: str) -> str:
    """The key of an account's password failures (one instance serves one site)."""
    return f"kitei:account:{username.lower()}"


def _mfa_key(user: AbstractBaseUser) -> str:
    """The key allauth counts an account's wrong TOTP codes under (allauth.mfa)."""
    return f"mfa-auth-user-{user.pk}"


def _config(per: str) -> dict[str, str]:
    """One of the two limits, as allauth's rate-limit configuration of the action."""
    rate = settings.LOGIN_FAILED_PER_ADDRESS if per == "ip" else settings.LOGIN_FAILED_PER_ACCOUNT
    return {ACTION: f"{rate}/{per}"}


def consume(request: HttpRequest, username: str) -> tuple[Any, str]:
    """Count a login attempt before its password is checked.

    Returns (usage, refused): `usage` is rolled back when the password proves right;
    `refused` is "" when the attempt may go on, else "address" or "account".
    """
    address = ratelimit.consume(request, app=APP, action=ACTION, config=_config("ip"))
    if address is None:
        return None, "address"
    account = ratelimit.consume(
        request, app=APP, action=ACTION, config=_config("key"), key=account_key(username)
    )
    if account is None:
        address.rollback()  # no password was checked: the address guessed nothing
        return None, "account"
    return ratelimit.RateLimitUsage(usage=[*address.usage, *account.usage]), ""


def _cache_keys(user: AbstractBaseUser) -> list[tuple[str, Any]]:
    """The cache entries of the account's limit: password failures and TOTP failures."""
    request = HttpRequest()  # a per-account key does not depend on the request
    keys = []
    for rate in ratelimit.get_rates(app=APP, action=ACTION, config=_config("key")):
        for key in (account_key(user.get_username()), _mfa_key(user)):
            entry = ratelimit.get_cache_key(request, app=APP, action=ACTION, rate=rate, key=key)
            keys.append((entry, rate))
    return keys


def state(user: AbstractBaseUser) -> LockState:
    """How many failures of the account still count, and whether it is locked now."""
    now = time.time()
    failures, locked = 0, False
    for entry, rate in _cache_keys(user):
        fresh = [t for t in cache.get(entry, []) if t > now - rate.duration]
        failures = max(failures, len(fresh))
        locked = locked or len(fresh) >= rate.amount
    return LockState(failures=failures, locked=locked)


def unlock(user: AbstractBaseUser) -> None:
    """Forget the account's failures (password and TOTP): it signs in again at once."""
    cache.delete_many([entry for entry, _rate in _cache_keys(user)])
