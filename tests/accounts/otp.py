"""What an authenticator app does: RFC 6238 TOTP codes from a base32 secret, and a login helper."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

from django.http import HttpResponse
from django.test import Client

from ..conftest import PASSWORD

LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"
CHANGE_PASSWORD = "/accounts/password/change/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"
TOTP_ACTIVATE = "/accounts/2fa/totp/activate/"
RECOVERY_CODES = "/accounts/2fa/recovery-codes/"
REAUTHENTICATE = "/accounts/reauthenticate/"


def totp_code(secret: str, at: float | None = None) -> str:
    """The 6-digit code for the 30-second step containing `at` (default: now)."""
    counter = int((time.time() if at is None else at) // 30)
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def sign_in(client: Client, username: str, password: str = PASSWORD) -> HttpResponse:
    """Post the login form as a person would."""
    return client.post(LOGIN, {"login": username, "password": password})  # type: ignore[return-value]


def open_totp_setup(client: Client, password: str = PASSWORD) -> str:
    """Open the TOTP setup page (allauth asks for the password first); returns the secret."""
    response = client.get(TOTP_ACTIVATE)
    if response.status_code == 302 and response["Location"].startswith(REAUTHENTICATE):
        client.post(REAUTHENTICATE, {"password": password})
        response = client.get(TOTP_ACTIVATE)
    assert response.status_code == 200
    return str(response.context["form"].secret)
