"""How requests (申請) appear in the audit trail (kitei.core.audit_display)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from kitei.approvals import queries
from kitei.approvals.choices import DecisionEffect, RequestEvent, RequestState
from kitei.approvals.models import Request
from kitei.core import access
from kitei.core.audit_display import Terms, register_object
from kitei.policy.actions import CANONICAL_ACTIONS


def _terms(organization: Any) -> Terms:
    """Actions, effects, states and events in words."""
    pack = access.engine_for(organization.pack_id, organization.pack_digest).pack
    actions = {a.id: a.title for a in pack.actions} | dict(CANONICAL_ACTIONS)
    states = {str(v): str(label) for v, label in RequestState.choices}
    return Terms(
        values={
            "action": actions,
            "effect": {str(v): str(label) for v, label in DecisionEffect.choices},
            "state": states,
            "event": {str(v): str(label) for v, label in RequestEvent.choices},
        }
    )


def register() -> None:
    """Name and link requests (their page) by number: 「R8-0001 情報資産の運搬」."""
    register_object(
        Request,
        read="requests.view",
        url=lambda r: reverse("approvals:detail", args=[r.pk]),
        name=lambda r: f"{r.number} {queries.action_title(r)}".strip(),
        related=("organization", "system"),
        terms=_terms,
    )
