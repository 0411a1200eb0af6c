"""Refuse hostile input before any view sees it: control characters and oversized bodies.

One place for every page and API route: a request whose path, query string (search
filters included), form fields, uploaded file names or JSON body holds a control
character (NUL …, `kitei.core.validators`) is answered 400 and reaches no view, so
nothing is stored; a body larger than MAX_REQUEST_BYTES is answered 413 before Django
reads it (the web server in front should refuse it first). The API answers JSON
`{"detail", "code"}`, pages a Japanese page. File contents are not inspected here: the
imports refuse such cells row by row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kitei.core.validators import control_message, has_control_characters, texts

API_PREFIX = "/api/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _inputs(request: HttpRequest) -> Iterator[str]:
    """Every text the request brings: path, query, form fields, file names, JSON strings."""
    yield request.path
    for key, values in request.GET.lists():
        yield key
        yield from values
    if request.method not in {"POST", "PUT", "PATCH", "DELETE"}:
        return
    content_type = request.content_type or ""
    if content_type in FORM_TYPES:
        for key, values in request.POST.lists():
            yield key
            yield from values
        for key, uploads in request.FILES.lists():
            yield key
            yield from (str(upload.name or "") for upload in uploads)
    elif content_type == "application/json" or content_type.endswith("+json"):
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return  # not JSON: the view answers that
        yield from texts(data)


class InputGuardMiddleware:
    """Answer 400 to control characters and 413 to an oversized body (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = int(settings.MAX_REQUEST_BYTES)
        if _content_length(request) > limit:
            reason = _("送信された内容が大きすぎます（%(mb)d MB まで）。") % {
                "mb": limit // (1024 * 1024)
            }
            return self._refuse(request, 413, "too_large", reason)
        if any(has_control_characters(text) for text in _inputs(request)):
            return self._refuse(request, 400, "control_characters", control_message())
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, status: int, code: str, reason: str) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": reason, "code": code}, status=status)
        context = {"reason": reason}
        return render(request, "core/input_refused.html", context, status=status)
