"""Every error of the API as JSON `{"detail", "code", "errors"?}`, its reason in Japanese."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as InputError

from kitei.core.api.auth import ApiError
from kitei.core.filters import InvalidFiltersError


class FieldError(Schema):
    """One rejected input: where (`loc`) and why (`msg`, Japanese)."""

    loc: list[str | int]
    msg: str


class ErrorOut(Schema):
    """The body of every error answer."""

    detail: str
    code: str
    errors: list[FieldError] = []


def _messages() -> dict[str, str]:
    # pydantic error type → Japanese; {placeholders} come from the error's context.
    return {
        "missing": _("必須の項目です。"),
        "extra_forbidden": _("この項目は指定できません。"),
        "int_parsing": _("整数で指定してください。"),
        "int_type": _("整数で指定してください。"),
        "int_from_float": _("整数で指定してください。"),
        "string_type": _("文字列で指定してください。"),
        "bool_parsing": _("true か false で指定してください。"),
        "bool_type": _("true か false で指定してください。"),
        "date_parsing": _("日付（YYYY-MM-DD）で指定してください。"),
        "date_from_datetime_parsing": _("日付（YYYY-MM-DD）で指定してください。"),
        "date_type": _("日付（YYYY-MM-DD）で指定してください。"),
        "string_too_short": _("空にはできません。"),
        "string_too_long": _("{max_length}文字以内で指定してください。"),
        "greater_than_equal": _("{ge}以上で指定してください。"),
        "less_than_equal": _("{le}以下で指定してください。"),
        "enum": _("次のいずれかを指定してください: {expected}。"),
        "literal_error": _("次のいずれかを指定してください: {expected}。"),
        "dict_type": _("オブジェクトで指定してください。"),
        "list_type": _("配列で指定してください。"),
        "model_attributes_type": _("オブジェクトで指定してください。"),
        "model_type": _("オブジェクトで指定してください。"),
        "json_invalid": _("JSONとして読めません。"),
    }


def field_message(error: Mapping[str, Any]) -> str:
    """The Japanese reason for one pydantic error."""
    template = _messages().get(str(error.get("type")), _("値が正しくありません。"))
    context = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return template.format(**context)
    except (KeyError, IndexError):
        return template


def _loc(error: Mapping[str, Any]) -> list[str | int]:
    # ninja prefixes the parameter kind and name ("body", "payload"); the caller knows neither.
    loc = list(error.get("loc", ()))
    while loc and loc[0] in {"body", "query", "path", "payload", "filters"}:
        loc = loc[1:]
    return [p if isinstance(p, int) else str(p) for p in loc]


def _respond(
    api: NinjaAPI, request: HttpRequest, status: int, code: str, detail: str, **extra: Any
) -> HttpResponse:
    response = api.create_response(
        request, {"detail": detail, "code": code, **extra}, status=status
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="kitei"'
    return response


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn exceptions into Japanese JSON errors."""

    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return _respond(api, request, exc.status, exc.code, exc.detail)

    def input_error(request: HttpRequest, exc: InputError) -> HttpResponse:
        errors = [{"loc": _loc(e), "msg": field_message(e)} for e in exc.errors]
        first = errors[0] if errors else {"loc": [], "msg": ""}
        where = ".".join(str(p) for p in first["loc"])
        detail = (
            _("入力が正しくありません（{where}: {msg}）。").format(where=where, msg=first["msg"])
            if where
            else _("入力が正しくありません（{msg}）。").format(msg=first["msg"])
        )
        return _respond(api, request, 422, "invalid", detail, errors=errors)

    def filter_error(request: HttpRequest, exc: InvalidFiltersError) -> HttpResponse:
        errors = [{"loc": [p.name], "msg": p.message} for p in exc.problems]
        first = exc.problems[0]
        detail = _("入力が正しくありません（{where}: {msg}）。").format(
            where=first.name, msg=first.message
        )
        return _respond(api, request, 422, "invalid", detail, errors=errors)

    def rule_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return _respond(api, request, 422, "invalid", " ".join(exc.messages))

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _respond(api, request, 404, "not_found", _("見つかりません。"))

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:  # ninja's only own HttpError: a body that is not JSON
            return _respond(
                api, request, 400, "bad_request", _("リクエストの本文をJSONとして読めません。")
            )
        return _respond(api, request, exc.status_code, "error", str(exc))

    # Each handler takes the exception class it is registered for, narrower than the
    # stub's Exception parameter (ninja calls it only for that class).
    api.add_exception_handler(ApiError, api_error)  # type: ignore[arg-type]  # see above
    api.add_exception_handler(InputError, input_error)  # type: ignore[arg-type]  # see above
    api.add_exception_handler(InvalidFiltersError, filter_error)  # type: ignore[arg-type]  # see above
    api.add_exception_handler(DjangoValidationError, rule_error)  # type: ignore[arg-type]  # see above
    api.add_exception_handler(Http404, not_found)  # type: ignore[arg-type]  # see above
    api.add_exception_handler(HttpError, http_error)  # type: ignore[arg-type]  # see above


ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


API_PREFIX = "/api/"


def _fallback(status: int) -> tuple[str, str]:
    """The code and Japanese reason of an error answered outside the API's own handlers."""
    if status == 404:
        return "not_found", _("見つかりません。")
    if status == 405:
        return "method_not_allowed", _("このメソッドは使えません。")
    if status >= 500:
        return "server_error", _("サーバーでエラーが発生しました。")
    return "error", _("リクエストを処理できません。")


class JsonApiErrorsMiddleware:
    """Every error under /api/ is JSON `ErrorOut`, also those answered before an operation
    runs: a path no operation matches (`/api/assets/abc`: Django's HTML 404), a method an
    operation does not take (ninja's plain-text 405), an unexpected exception (HTML 500).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not request.path.startswith(API_PREFIX)
            or response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        code, detail = _fallback(response.status_code)
        answer = JsonResponse(
            {"detail": detail, "code": code, "errors": []}, status=response.status_code
        )
        for header in ("Allow", "WWW-Authenticate"):
            if header in response:
                answer[header] = response[header]
        return answer
