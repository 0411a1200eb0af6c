"""State changes of the core app: organisations and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import connection, transaction
from django.utils import timezone

from kitei.core import chain
from kitei.core.models import ChangeRecord, Organization
from kitei.policy import load_pack

Actor = AbstractBaseUser | AnonymousUser | None


def _actor_name(actor: Actor) -> str:
    if actor is None or not actor.is_authenticated:
        return "system"
    return str(actor.get_username())


def record_change(
    organization: Organization,
    *,
    actor: Actor,
    action: str,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    before: Any = None,
    after: Any = None,
) -> ChangeRecord:
    """Append one record to the organisation's chain; call inside the change's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_change must run inside the transaction of the change")
    head = (
        Organization.objects.select_for_update()
        .only("chain_seq", "chain_head")
        .get(pk=organization.pk)
    )
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    at = timezone.now()
    seq = head.chain_seq + 1
    actor_name = _actor_name(actor)
    before_text, after_text = chain.canonical_json(before), chain.canonical_json(after)
    digest = chain.record_hash(
        head.chain_head,
        org_id=head.pk,
        seq=seq,
        at=chain.time_text(at),
        actor_name=actor_name,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before_text,
        after=after_text,
    )
    record = ChangeRecord.objects.create(
        organization_id=head.pk,
        seq=seq,
        at=at,
        actor=actor if isinstance(actor, User) else None,
        actor_name=actor_name,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before_text,
        after=after_text,
        prev_hash=head.chain_head,
        hash=digest,
    )
    Organization.objects.filter(pk=head.pk).update(chain_seq=record.seq, chain_head=digest)
    organization.chain_seq, organization.chain_head = record.seq, digest
    return record


def _pack_snapshot(org: Organization) -> dict[str, str]:
    return {
        "pack_id": org.pack_id,
        "pack_version": org.pack_version,
        "pack_digest": org.pack_digest,
    }


@transaction.atomic
def create_organization(*, actor: Actor, slug: str, name: str, pack: str) -> Organization:
    """Create a tenant bound to a shipped pack (id, version and digest recorded)."""
    loaded = load_pack(pack)
    org = Organization.objects.create(
        slug=slug,
        name=name,
        pack_id=loaded.pack.id,
        pack_version=loaded.pack.version,
        pack_digest=loaded.digest,
    )
    record_change(
        org,
        actor=actor,
        action="create_organization",
        obj=org,
        after={"slug": slug, "name": name, **_pack_snapshot(org)},
    )
    return org


@transaction.atomic
def upgrade_pack(organization: Organization, *, actor: Actor, pack: str) -> Organization:
    """Bind the organisation to a new version of its pack: an explicit, recorded step."""
    loaded = load_pack(pack)
    if loaded.pack.id != organization.pack_id:
        raise ValueError(f"pack {loaded.pack.id} is not {organization.pack_id}")
    before = _pack_snapshot(organization)
    organization.pack_version = loaded.pack.version
    organization.pack_digest = loaded.digest
    organization.save(update_fields=["pack_version", "pack_digest"])
    record_change(
        organization,
        actor=actor,
        action="upgrade_pack",
        obj=organization,
        before=before,
        after=_pack_snapshot(organization),
    )
    return organization


@dataclass(frozen=True, kw_only=True)
class Verification:
    """The result of verifying the audit chain."""

    checked: int
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


COLUMNS = (
    "organization_id, seq, at, actor_name, action, object_type, object_id, before, "
    "after, prev_hash, hash"
)


def verify_audit_chain(organization: Organization | None = None) -> Verification:
    """Recompute every record's hash and link; name the first record that breaks the chain."""
    orgs = (
        Organization.objects.all()
        if organization is None
        else Organization.objects.filter(pk=organization.pk)
    )
    heads = {o.pk: (o.chain_seq, o.chain_head) for o in orgs}
    table = ChangeRecord._meta.db_table
    where, params = (
        ("", []) if organization is None else (" WHERE organization_id = %s", [organization.pk])
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {COLUMNS} FROM {table}{where} ORDER BY organization_id, seq",
            params,
        )
        checked, problem = chain.verify_rows(_stream(cursor), heads)
    return Verification(checked=checked, problem=problem)


def _stream(cursor: Any, size: int = 20_000) -> Any:
    while rows := cursor.fetchmany(size):
        yield from rows
