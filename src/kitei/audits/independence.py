"""Auditor independence, decided on the server from the people register and the pack.

The pack's separation-of-duties constraints on `x.audit.conduct` are applied, each with its
clause and quote: a constraint of kind `auditee_not_auditor` (002 2(6)イ) refuses a person
named as auditee, overridable when its `override` is `with_reason` and a reason is given;
any other (002 10-1(2)ア, 被監査部門から独立) refuses a member of an audited 課, a holder of a
role scoped to an audited 課 or system, and the person the system register names for an
audited system — never overridable when its `override` is `none`. Every constraint applies
and the stricter wins. A pack with no such constraint (003) gets a visible warning,
「独立性の定めなし」, and nothing is refused.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

from django.utils import timezone

from kitei.core import access
from kitei.people.models import Person, RoleAssignment
from kitei.policy.model import Separation

CONDUCT = "x.audit.conduct"
NO_RULE = "独立性の定めなし"

Outcome = Literal["ok", "blocked", "needs_reason", "overridden", "warning"]


@dataclass(frozen=True, kw_only=True)
class Check:
    """One constraint applied to one candidate: its citation, outcome and the facts found."""

    rule: str
    clause: str
    quote: str
    seed: str
    outcome: Outcome
    message: str
    facts: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Independence:
    """Every check of one candidate; allowed only when none blocks or still needs a reason."""

    checks: tuple[Check, ...]

    @property
    def allowed(self) -> bool:
        return all(c.outcome in ("ok", "overridden", "warning") for c in self.checks)

    @property
    def warning(self) -> bool:
        return any(c.outcome == "warning" for c in self.checks)

    @property
    def refusals(self) -> list[Check]:
        return [c for c in self.checks if c.outcome in ("blocked", "needs_reason")]

    def message(self) -> str:
        """One Japanese paragraph naming each refusing clause and why."""
        return " ".join(
            f"{c.message}（{c.seed} {c.clause}「{c.quote}」: {'、'.join(c.facts)}）"
            for c in self.refusals
        )

    def to_json(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "checks": [asdict(c) for c in self.checks]}


def _assignments(person: Person, on: date) -> list[RoleAssignment]:
    return [
        a
        for a in RoleAssignment.objects.filter(person=person).select_related("department", "system")
        if (a.valid_from is None or a.valid_from <= on)
        and (a.valid_until is None or on <= a.valid_until)
    ]


def _unit_facts(audit: Any, person: Person, titles: dict[str, str], on: date) -> list[str]:
    """Why the person is not independent of the audited 課 and systems (none: independent)."""
    departments = {d.pk: d.name for d in audit.departments.all()}
    systems = list(audit.systems.all())
    system_ids = {s.pk: s.name for s in systems}
    facts = []
    if person.department_id in departments:
        facts.append(f"被監査部門「{departments[person.department_id]}」の所属")
    for a in _assignments(person, on):
        title = titles.get(a.role_id, a.role_id)
        if a.department_id in departments:
            facts.append(f"役割「{title}」（{departments[a.department_id]}）")
        if a.system_id in system_ids:
            facts.append(f"役割「{title}」（{system_ids[a.system_id]}）")
    for s in systems:
        if person.pk in (s.manager_id, s.operator_id):
            facts.append(f"情報システム台帳で「{s.name}」の担当として登録")
    return facts


def _apply(constraint: Separation, facts: list[str], reason: str, seed: str) -> Check:
    if not facts:
        outcome: Outcome = "ok"
    elif constraint.override == "with_reason":
        outcome = "overridden" if reason.strip() else "needs_reason"
    else:
        outcome = "blocked"
    return Check(
        rule=constraint.id,
        clause=constraint.clause,
        quote=constraint.quote,
        seed=seed,
        outcome=outcome,
        message=constraint.message,
        facts=tuple(facts),
    )


def evaluate(
    audit: Any, person: Person, *, reason: str = "", on: date | None = None
) -> Independence:
    """The independence of `person` as an auditor of `audit`, by the organisation's pack."""
    organization = audit.organization
    pack = access.engine_for(organization.pack_id, audit.pack_digest).pack
    titles = {r.id: r.title for r in pack.roles}
    today = on or timezone.localdate()
    constraints = [s for s in pack.separation_of_duties if CONDUCT in s.actions]
    if not constraints:
        return Independence(
            checks=(
                Check(
                    rule="",
                    clause="",
                    quote="",
                    seed=pack.source,
                    outcome="warning",
                    message=NO_RULE,
                ),
            )
        )
    checks = []
    for constraint in constraints:
        if constraint.kind == "auditee_not_auditor":
            facts = (
                ["監査を受ける者として登録"] if audit.auditees.filter(pk=person.pk).exists() else []
            )
        else:
            facts = _unit_facts(audit, person, titles, today)
        checks.append(_apply(constraint, facts, reason, pack.source))
    return Independence(checks=tuple(checks))
