"""kitei's URLs and error handlers, plus views that fail, for the error page tests."""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from kitei.urls import handler400, handler403, handler404, handler500
from kitei.urls import urlpatterns as kitei_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def fails(request: HttpRequest) -> HttpResponse:
    """A bug: the server answers 500."""
    raise RuntimeError("a bug in a view")


def suspicious(request: HttpRequest) -> HttpResponse:
    """A request kitei will not handle: 400."""
    raise SuspiciousOperation("a tampered request")


urlpatterns = [
    path("test-errors/500/", fails),
    path("test-errors/400/", suspicious),
    *kitei_urlpatterns,
]
