"""A person's API tokens on their page: listed for themselves and the organisation's
administrators, each revocable there (recorded)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kitei.core import access, tokens
from kitei.core.models import ApiToken, Organization
from kitei.people.models import Person


def context(request: HttpRequest, org: Organization, subject: Person) -> dict[str, Any]:
    """The token section of a person page: shown to the person and to whoever manages people."""
    if (
        subject.user is None
        or not access.check_account(request.user, subject.user, "people.manage", org).allowed
    ):
        return {"api_tokens": None}
    return {
        "api_tokens": list(tokens.tokens_of(subject.user, org)),
        "api_token_lifetime": tokens.token_lifetime(org),
        "now": timezone.now(),
    }


@login_required
@require_http_methods(["POST"])
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke an API token of the organisation: its own user, or an organisation administrator;
    back to the page of the person it belongs to."""
    org = access.organization_of(request.user)
    access.require(request.user, "people.view", org)
    assert org is not None  # require() refuses users without an organisation
    token = access.scoped(ApiToken.objects.select_related("user"), org).filter(pk=pk).first()
    if token is None:
        raise Http404
    tokens.revoke_api_token(token, actor=request.user)  # refused: the 403 page with reasons
    messages.success(
        request, _("APIトークン %(prefix)s… を失効させました。") % {"prefix": token.prefix}
    )
    owner = access.scoped(Person.objects.filter(user=token.user), org).first()
    return redirect("people:detail", pk=owner.pk) if owner else redirect("people:list")
