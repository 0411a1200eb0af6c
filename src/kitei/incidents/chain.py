"""The pack's reporting chain for one kind of incident, planned from the flags and resolved
to the people who hold the roles today (deputies within validity) or to outside parties.

Planning reads only the pack (`plan`); resolution reads the people register and the
情報システム台帳 (`resolve`). Neither writes anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from kitei.core import access
from kitei.core.models import Organization
from kitei.incidents.choices import Flag
from kitei.incidents.models import Incident
from kitei.people.models import Person, RoleAssignment
from kitei.people.queries import valid_on
from kitei.policy.model import Pack, Party, ReportingChain, Role
from kitei.policy.model import ReportStep as PackStep
from kitei.policy.model_incidents import IncidentKind
from kitei.systems.models import System


def pack_of(incident_or_org: Incident | Organization) -> Pack:
    """The pack version the incident was filed under (or the organisation's today)."""
    if isinstance(incident_or_org, Incident):
        return access.engine_for(incident_or_org.pack_id, incident_or_org.pack_digest).pack
    org = incident_or_org
    return access.engine_for(org.pack_id, org.pack_digest).pack


@dataclass(frozen=True, kw_only=True)
class PlannedStep:
    """A pack step that applies to the incident, with its place in the chain."""

    order: int  # 1-based, chain order across the kind's chains
    chain: ReportingChain
    position: int  # index of the step in its chain
    step: PackStep

    @property
    def decision_required(self) -> bool:
        return self.step.when is not None and self.step.when.decision == "required"


def find_kind(pack: Pack, ref: str) -> IncidentKind | None:
    """The pack's incident kind by id or Japanese title."""
    return next((k for k in pack.incident_kinds if ref in (k.id, k.title)), None)


def known_flags(pack: Pack) -> list[str]:
    """The flags an incident of this pack may carry: kitei's, member_firm where the pack's
    steps name the reporter, and the severity levels the seed names."""
    uses_reporter = any(
        step.when is not None and step.when.reporter is not None
        for chain in pack.reporting
        for step in chain.steps
    )
    flags = [f.value for f in Flag if f != Flag.MEMBER_FIRM or uses_reporter]
    return flags + [level.id for level in pack.severity_levels]


def severity_of(pack: Pack, flags: Iterable[str]) -> str | None:
    """The severity level named among the flags, if any."""
    levels = {level.id for level in pack.severity_levels}
    return next((f for f in flags if f in levels), None)


def plan(
    pack: Pack, kind: IncidentKind, flags: Iterable[str], *, stages: Sequence[str] = ("filing",)
) -> list[PlannedStep]:
    """The steps of the kind's chains whose conditions hold, in chain order."""
    wanted = set(flags)
    severity = severity_of(pack, wanted)
    member_firm = Flag.MEMBER_FIRM.value in wanted
    result: list[PlannedStep] = []
    order = 0
    for chain in pack.reporting:
        if chain.event != kind.event:
            continue
        for position, step in enumerate(chain.steps):
            if step.stage not in stages:
                continue
            when = step.when
            if when is not None and not when.holds(
                wanted, severity=severity, member_firm=member_firm
            ):
                continue
            order += 1
            result.append(PlannedStep(order=order, chain=chain, position=position, step=step))
    return result


def waits_for(planned: PlannedStep, chain: ReportingChain) -> set[str]:
    """The roles whose receipt opens this step: its senders that an earlier step of the same
    chain and stage reports to (empty: it opens at once)."""
    earlier = chain.steps[: planned.position]
    delivered = {rid for s in earlier if s.stage == planned.step.stage for rid in s.to}
    return set(planned.step.from_) & delivered


# --- resolution to people ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Recipient:
    """One recipient of a step: a role's holders (per system for system roles) or a party."""

    role: Role | None = None
    party: Party | None = None
    system: System | None = None
    people: tuple[Person, ...] = ()

    @property
    def title(self) -> str:
        if self.party is not None:
            return self.party.title
        assert self.role is not None
        return f"{self.role.title}（{self.system.name}）" if self.system else self.role.title


def _valid_today() -> Q:
    return valid_on(timezone.localdate())


def holders(
    organization: Organization,
    role: Role,
    *,
    department_id: int | None = None,
    system: System | None = None,
) -> tuple[Person, ...]:
    """The people holding `role` today (own or deputy assignments in their period).

    A department-scoped role counts for the given 課 only; a system-scoped one for the
    given system only (its register column too). With neither given, every holder counts.
    """
    found = RoleAssignment.objects.filter(organization=organization, role_id=role.id).filter(
        _valid_today()
    )
    people: dict[int, Person] = {}
    if role.scope == "department" and department_id is not None:
        found = found.filter(department_id=department_id)
    if role.scope == "system" and system is not None:
        found = found.filter(system=system)
        column = role.register_column
        holder = getattr(system, column, None) if column else None
        if isinstance(holder, Person):
            people[holder.pk] = holder
    for a in found.select_related("person__user"):
        people.setdefault(a.person_id, a.person)
    return tuple(sorted(people.values(), key=lambda p: (p.name, p.pk)))


def resolve(
    organization: Organization,
    pack: Pack,
    who: str,
    *,
    department_id: int | None = None,
    systems: Sequence[System] | None = None,
) -> list[Recipient]:
    """The recipients of `who` (a role or party id): one per affected system for a
    system-scoped role when systems are given, else one."""
    party = next((p for p in pack.parties if p.id == who), None)
    if party is not None:
        return [Recipient(party=party)]
    role = next(r for r in pack.roles if r.id == who)
    if role.scope == "system" and systems is not None:
        if not systems:
            return [Recipient(role=role)]
        return [
            Recipient(role=role, system=s, people=holders(organization, role, system=s))
            for s in systems
        ]
    dept = department_id if role.scope == "department" else None
    return [Recipient(role=role, people=holders(organization, role, department_id=dept))]


def role_or_party_title(pack: Pack, who: str) -> str:
    """The Japanese title of a role or party id."""
    for role in pack.roles:
        if role.id == who:
            return role.title
    for party in pack.parties:
        if party.id == who:
            return party.title
    return who
