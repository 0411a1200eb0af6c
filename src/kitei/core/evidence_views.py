"""The one way an evidence file leaves kitei: an access-checked, hash-verified download."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kitei.core import access, evidence
from kitei.core.models import EvidenceFile

logger = logging.getLogger("kitei.evidence")


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Serve one evidence file of the user's organisation, as an attachment, if its bytes hold.

    Another organisation's file is 404; a member without the permissions is 403; bytes
    that are missing or no longer hash to the recorded SHA-256 are refused (409, logged).
    """
    org = access.organization_of(request.user)
    access.require(request.user, "evidence.read", org)
    try:
        found = access.scoped(EvidenceFile.objects.select_related("supports_type"), org).get(pk=pk)
    except EvidenceFile.DoesNotExist:
        raise Http404(str(pk)) from None
    model = found.supports_type.model_class()
    if model is None:
        raise Http404(str(pk))
    support = evidence.support_of(model)
    access.require(request.user, support.read, org)
    if support.visible is not None:
        supported = model._default_manager.filter(pk=found.supports_id).first()
        if supported is None or not support.visible(request.user, supported):
            raise Http404(str(pk))  # as the object's own page: need-to-know, not a 403
    try:
        content = evidence.open_verified(found)
    except evidence.EvidenceUnavailableError as exc:
        logger.error(
            "evidence file refused: %s (organisation %s, stored as %s, user %s)",
            exc,
            found.organization_id,
            found.file.name,
            request.user.get_username(),
        )
        context = {"evidence": found, "missing": exc.problem == "missing"}
        return render(request, "core/evidence_unavailable.html", context, status=409)
    response = FileResponse(
        content,
        as_attachment=True,
        filename=found.original_name,
        content_type=found.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
