"""The 403 page: what was refused and why, with the clause or kitei rule behind it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kitei.core import access


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Render a refusal: the permission's Japanese title and the verdict's reasons."""
    verdict = exception.verdict if isinstance(exception, access.Refusal) else None
    context = {
        "verdict": verdict,
        "message": str(exception) if exception is not None and verdict is None else "",
    }
    return render(request, "403.html", context, status=403)
