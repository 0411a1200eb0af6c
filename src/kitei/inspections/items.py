"""The inspection items of an organisation's bound pack, as the CLI and the API print them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kitei.core import access
from kitei.policy.model_controls import CONTROL_SCOPES

if TYPE_CHECKING:
    from kitei.core.models import Organization
    from kitei.policy.model import Pack
    from kitei.policy.model_controls import Control


def pack_of(organization: Organization) -> Pack:
    """The pack version the organisation is bound to (its digest), compiled once."""
    return access.engine_for(organization.pack_id, organization.pack_digest).pack


def controls_of(pack: Pack, scope: str | None = None) -> list[Control]:
    """The pack's inspection items in pack order, of one scope when given."""
    if scope is not None and scope not in CONTROL_SCOPES:
        raise ValueError(f"unknown scope '{scope}' (one of: {', '.join(CONTROL_SCOPES)})")
    return [c for c in pack.controls if scope is None or c.scope == scope]


def item_json(pack: Pack, control: Control) -> dict[str, Any]:
    """One item as `kitei inspection items --json` prints it."""
    titles = {r.id: r.title for r in pack.roles}
    return {
        "id": control.id,
        "clause": control.clause,
        "quote": control.quote,
        "source": control.source or pack.source,
        "scope": control.scope,
        "kind": control.kind,
        "actors": [{"id": a, "title": titles[a]} for a in control.actors],
        "question": control.question_text(),
    }
