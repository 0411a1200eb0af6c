"""The page of a background register import: how far it has come, then its outcome.

The page polls itself every two seconds (htmx) until the task ends; it is shown only to
members of the import's organisation who may import into that register.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from kitei.core import access, imports
from kitei.core.models import TaskProgress


def progress_context(item: TaskProgress) -> dict[str, Any]:
    """What the progress templates show of an import (also the people import's start page)."""
    kind = imports.import_kind(item.kind)
    return {
        "item": item,
        "kind": kind,
        "list_url": reverse(kind.list_url),
        "import_url": reverse(kind.import_url),
    }


@login_required
@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The import's progress; for htmx's polling only the part that changes."""
    org = access.organization_of(request.user)
    item = get_object_or_404(access.scoped(TaskProgress.objects.all(), org), pk=pk)
    access.require(request.user, imports.import_kind(item.kind).permission, org)
    polled = bool(getattr(request, "htmx", False))
    template = "core/_import_progress.html" if polled else "core/import_progress.html"
    response = render(request, template, progress_context(item))
    response["Cache-Control"] = "no-store"
    return response
