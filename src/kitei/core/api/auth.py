"""Bearer-token authentication of the JSON API, and the permission each operation needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from kitei.core import access
from kitei.core.models import ApiToken, Organization
from kitei.core.tokens import check_api_token


class ApiError(Exception):
    """An error answered as JSON `{"detail": …, "code": …}` with its HTTP status."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


@dataclass(frozen=True, kw_only=True)
class Caller:
    """Who calls: the token's user, acting only inside the token's organisation (its membership
    there is the user's active one)."""

    user: AbstractBaseUser
    organization: Organization
    token: ApiToken


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; with `permission`, also checked before the input is read.

    Checking the permission here answers 403 before a body is parsed, so a caller without
    the right learns nothing from validation messages.
    """

    def __init__(self, permission: access.Permission | None = None) -> None:
        super().__init__()
        self.permission = permission

    def __call__(self, request: HttpRequest) -> Caller:
        header = request.headers.get(self.header, "").strip()
        if not header:
            raise ApiError(
                401, "missing", _("APIトークンがありません（Authorization: Bearer …）。")
            )
        scheme, _sep, value = header.partition(" ")
        if scheme.lower() != "bearer":
            raise ApiError(
                401, "invalid", _("Authorization ヘッダーは Bearer 形式で送ってください。")
            )
        return self.authenticate(request, value.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Caller:
        """The caller the token stands for, or ApiError(401/403) with the reason in Japanese.

        403: the token is good, but its user's membership in the token's organisation has
        ended (or not begun), or needs TOTP that is not set up.
        """
        check = check_api_token(token)
        if check.token is None:
            raise ApiError(check.status, check.code, check.reason)
        caller = Caller(
            user=check.token.user, organization=check.token.organization, token=check.token
        )
        if self.permission is not None:
            require(caller, self.permission)
        return caller


def require(caller: Caller, permission: access.Permission) -> None:
    """Raise ApiError(403) unless core.access lets the caller do `permission`."""
    if not access.check(caller.user, permission, caller.organization).allowed:
        raise ApiError(403, "forbidden", _("この操作を行う権限がありません。"))


def caller_of(request: HttpRequest) -> Caller:
    """The caller TokenAuth attached to the request."""
    return cast(Caller, request.auth)  # type: ignore[attr-defined]  # set by ninja


def docs_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`/api/docs` and `/api/openapi.json` need a logged-in user, except in development (DEBUG).

    DEBUG is read per request, so settings changed at run time (tests) take effect.
    """
    protected = login_required(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.DEBUG:
            return view(request, *args, **kwargs)
        return protected(request, *args, **kwargs)

    return wrapper
