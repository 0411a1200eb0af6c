"""The organisation's pack as kitei runs it: the bound engine and its compiled grants.

`kitei.core.access` asks here which roles a pack grants a permission to; everything is
cached by pack digest, so a pack is compiled once however many checks read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kitei.core.models import Organization, PackVersion
from kitei.policy import Decision, Engine, load_pack, load_pack_source


@dataclass(frozen=True, kw_only=True)
class Reason:
    """Why a verdict is what it is: a pack grant (clause, quote, seed) or kitei's own rule.

    `text` is a lazy translation: verdicts are cached across requests, and each page reads
    the reason in its own language when it renders.
    """

    text: str | Promise
    source: Literal["pack", "kitei"] = "kitei"
    role: str = ""  # the pack role's title, for a grant
    clause: str = ""
    quote: str = ""
    seed: str = ""

    def cite(self) -> str:
        """The reason as one line, with its clause and seed file when it has them."""
        if self.clause:
            return gettext("{text}（{seed} {clause}「{quote}」）").format(
                text=self.text, seed=self.seed, clause=self.clause, quote=self.quote
            )
        return str(self.text)


# --- the organisation's pack ---------------------------------------------------------------


@cache
def engine_for(pack_id: str, digest: str) -> Engine:
    """The compiled engine of the pack version an organisation is bound to (cached by digest).

    The bytes come from PackVersion, so a newer shipped file changes nothing until the
    organisation is upgraded (core.services.upgrade_pack).
    """
    stored = PackVersion.objects.filter(digest=digest).first()
    if stored is not None:
        loaded = load_pack_source(stored.source.encode("utf-8"), Path(f"{pack_id}@{digest}"))
    else:
        loaded = load_pack(pack_id)
        if loaded.digest != digest:
            raise PermissionDenied(
                f"pack {pack_id} {digest} is not stored; upgrade the organisation"
            )
    if loaded.digest != digest or loaded.pack.id != pack_id:
        raise PermissionDenied(f"stored pack {pack_id} does not match {digest}")
    return Engine(loaded)


@dataclass(frozen=True, kw_only=True)
class RoleGrant:
    """One grant of the pack, compiled: the role, where it applies, and its citation."""

    role_id: str
    role_title: str
    scope: str
    reason: Reason


@dataclass(frozen=True, kw_only=True)
class GrantIndex:
    """A pack's grants by permission, its role scopes, and roles held through the register."""

    by_permission: Mapping[str, tuple[RoleGrant, ...]]
    scopes: Mapping[str, str]
    register_columns: Mapping[str, str]  # role id → System column ("manager", "operator")
    administrative: frozenset[str]


@cache
def grant_index(pack_id: str, digest: str) -> GrantIndex:
    """The grants of the pack version `digest`, compiled once."""
    pack = engine_for(pack_id, digest).pack
    notes = {n.id: n for n in pack.notes}
    found: dict[str, list[RoleGrant]] = {}
    for role in pack.roles:
        for grant in role.grants:
            if grant.note is not None:
                note = notes[grant.note]
                reason = Reason(
                    text=format_lazy(
                        _("{role}に与えられています（注記 {note}: {decision}）"),
                        role=role.title,
                        note=note.id,
                        decision=note.decision,
                    ),
                    source="pack",
                    role=role.title,
                    clause=note.clause,
                    quote=note.quote,
                    seed=note.source or pack.source,
                )
            else:
                reason = Reason(
                    text=format_lazy(_("{role}に与えられています"), role=role.title),
                    source="pack",
                    role=role.title,
                    clause=grant.clause or "",
                    quote=grant.quote or "",
                    seed=grant.source or pack.source,
                )
            found.setdefault(grant.permission, []).append(
                RoleGrant(
                    role_id=role.id,
                    role_title=role.title,
                    scope=grant.scope or role.scope,
                    reason=reason,
                )
            )
    return GrantIndex(
        by_permission={k: tuple(v) for k, v in found.items()},
        scopes={r.id: r.scope for r in pack.roles},
        register_columns={r.id: r.register_column for r in pack.roles if r.register_column},
        administrative=frozenset(r.id for r in pack.roles if r.administrative),
    )


def grants_of(organization: Organization) -> GrantIndex:
    """The compiled grants of the pack version the organisation is bound to."""
    return grant_index(organization.pack_id, organization.pack_digest)


def decide(organization: Organization, request: Mapping[str, Any]) -> Decision:
    """The decision of the organisation's pack on a request (its JSON form), with reasons."""
    return engine_for(organization.pack_id, organization.pack_digest).decide(request)
