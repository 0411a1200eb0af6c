"""kitei's error pages: what happened and what to do, in the person's language.

403 names the refused permission and the verdict's reasons (the clause or kitei rule).
404 and the CSRF refusal render with the page frame. 400 and 500 render a plain template
without the request's context: no context processor runs, so they need neither the
database nor the session (the reason for a 500 may be that the database is down). The
language is the one LocaleMiddleware chose for the request (Japanese unless switched).
"""

from __future__ import annotations

from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseServerError,
)
from django.shortcuts import render
from django.template import loader

from kitei.core import access


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Render a refusal: the permission's Japanese title and the verdict's reasons."""
    verdict = exception.verdict if isinstance(exception, access.Refusal) else None
    context = {
        "verdict": verdict,
        "message": str(exception) if exception is not None and verdict is None else "",
    }
    return render(request, "403.html", context, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The page does not exist, or is another organisation's (never said which)."""
    return render(request, "404.html", {"request_path": request.path}, status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The request could not be understood (a damaged form, an unknown host name …)."""
    return HttpResponseBadRequest(loader.get_template("400.html").render())


def server_error(request: HttpRequest | None = None) -> HttpResponse:
    """Something failed on the server: a plain page, no database, no session."""
    return HttpResponseServerError(loader.get_template("500.html").render())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (an old page, cookies off): send it again."""
    return render(request, "403_csrf.html", status=403)
