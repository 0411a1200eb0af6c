"""The engine's answer as typed values: effects, approval modes, the pack reference, reasons.

A `Decision` is what `Engine.decide` returns and what the applications store (as JSON,
`Decision.to_json`) beside a request; `Decision.from_json` is the one way a stored decision
is read back, so no caller reads the JSON by hand or a pack digest by position.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Effect(StrEnum):
    """What the pack says about a request; they combine as forbid > approval > permit."""

    FORBID = "forbid"
    APPROVAL_REQUIRED = "approval_required"
    PERMIT = "permit"
    UNDETERMINED = "undetermined"  # the pack says nothing: never read as "allowed"

    @property
    def label(self) -> str:
        """The Japanese name of the effect."""
        return _EFFECT_LABELS[self]

    @property
    def rank(self) -> int:
        """Its weight when several rules match: the highest wins."""
        return _EFFECT_RANKS[self]


_EFFECT_LABELS = {
    Effect.FORBID: "禁止",
    Effect.APPROVAL_REQUIRED: "承認が必要",
    Effect.PERMIT: "許可",
    Effect.UNDETERMINED: "判断できません（規程に定めがありません）",
}
_EFFECT_RANKS = {
    Effect.UNDETERMINED: 0,
    Effect.PERMIT: 1,
    Effect.APPROVAL_REQUIRED: 2,
    Effect.FORBID: 3,
}


class ApprovalMode(StrEnum):
    """How a step of an approval route is decided: every role, or any one of them."""

    ALL_OF = "all_of"
    ANY_OF = "any_of"

    @property
    def label(self) -> str:
        """The Japanese name of the mode."""
        return _MODE_LABELS[self]


_MODE_LABELS = {ApprovalMode.ALL_OF: "全員の承認", ApprovalMode.ANY_OF: "いずれか1名の承認"}


@dataclass(frozen=True, slots=True, kw_only=True)
class PackRef:
    """The exact pack version a decision came from: its id, version and SHA-256 digest."""

    id: str
    version: str
    digest: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "digest": self.digest}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PackRef:
        """The reference as `to_json` wrote it."""
        return cls(id=str(data["id"]), version=str(data["version"]), digest=str(data["digest"]))


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    """Why: the rule, its clause as printed, the seed file, a short quote and a message.

    `effect` is the rule's effect, or `constraint` for a separation-of-duties constraint.
    """

    rule: str
    effect: str
    clause: str
    source: str
    quote: str
    message: str
    adopted_from: str = ""  # the model pack a rule was adopted from (kitei policy adopt)

    def to_json(self) -> dict[str, str]:
        data = {
            "rule": self.rule,
            "effect": self.effect,
            "clause": self.clause,
            "source": self.source,
            "quote": self.quote,
            "message": self.message,
        }
        if self.adopted_from:
            data["adopted_from"] = self.adopted_from
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, effect: str | None = None) -> Reason:
        """The reason as `to_json` wrote it (`effect` given when the JSON leaves it out)."""
        return cls(
            rule=str(data.get("rule", "")),
            effect=str(effect if effect is not None else data.get("effect", "")),
            clause=str(data.get("clause", "")),
            source=str(data.get("source", "")),
            quote=str(data.get("quote", "")),
            message=str(data.get("message", "")),
            adopted_from=str(data.get("adopted_from", "")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One approval step: `all_of` its roles, or `any_of` them, must approve."""

    mode: ApprovalMode
    roles: tuple[tuple[str, str], ...]  # (id, title)

    def to_json(self) -> dict[str, Any]:
        return {"mode": self.mode.value, "roles": [{"id": i, "title": t} for i, t in self.roles]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Step:
        return cls(
            mode=ApprovalMode(data["mode"]),
            roles=tuple((str(r["id"]), str(r["title"])) for r in data["roles"]),
        )


CONSTRAINT = "constraint"
"""The `effect` of a constraint's reason: it binds the application, it decides nothing."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Constraint:
    """A separation-of-duties constraint the application must enforce for this request."""

    id: str
    kind: str
    override: str
    minimum_persons: int | None
    reason: Reason

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "kind": self.kind, "override": self.override}
        if self.minimum_persons is not None:
            data["minimum_persons"] = self.minimum_persons
        data.update({k: v for k, v in self.reason.to_json().items() if k != "effect"})
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Constraint:
        minimum = data.get("minimum_persons")
        return cls(
            id=str(data["id"]),
            kind=str(data["kind"]),
            override=str(data["override"]),
            minimum_persons=int(minimum) if minimum is not None else None,
            reason=Reason.from_json(data, effect=CONSTRAINT),
        )

    @property
    def clause(self) -> str:
        return self.reason.clause

    @property
    def quote(self) -> str:
        return self.reason.quote

    @property
    def source(self) -> str:
        return self.reason.source

    @property
    def message(self) -> str:
        return self.reason.message


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """The answer and its explanation as one value."""

    effect: Effect
    approvals: tuple[Step, ...]
    obligations: tuple[tuple[str, str], ...]  # (id, text)
    records: tuple[tuple[str, str, tuple[str, ...]], ...]  # (book id, title, field titles)
    reasons: tuple[Reason, ...]
    constraints: tuple[Constraint, ...]
    pack: PackRef

    def to_json(self) -> dict[str, Any]:
        """The decision as the JSON the CLI and API print and the applications store."""
        return {
            "effect": self.effect.value,
            "approvals": [s.to_json() for s in self.approvals],
            "obligations": [{"id": i, "text": t} for i, t in self.obligations],
            "records": [{"book": b, "title": t, "fields": list(f)} for b, t, f in self.records],
            "reasons": [r.to_json() for r in self.reasons],
            "constraints": [c.to_json() for c in self.constraints],
            "pack": self.pack.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Decision:
        """A decision stored by `to_json`, read back; `ValueError` when it is not one."""
        try:
            return cls(
                effect=Effect(data["effect"]),
                approvals=tuple(Step.from_json(s) for s in data.get("approvals", ())),
                obligations=tuple(
                    (str(o["id"]), str(o["text"])) for o in data.get("obligations", ())
                ),
                records=tuple(
                    (str(r["book"]), str(r["title"]), tuple(str(f) for f in r.get("fields", ())))
                    for r in data.get("records", ())
                ),
                reasons=tuple(Reason.from_json(r) for r in data.get("reasons", ())),
                constraints=tuple(Constraint.from_json(c) for c in data.get("constraints", ())),
                pack=PackRef.from_json(data["pack"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a stored decision: {exc!r}") from exc

    def constraint(self, kind: str) -> Constraint | None:
        """The decision's first constraint of `kind` (e.g. `applicant_not_approver`), if any."""
        return next((c for c in self.constraints if c.kind == kind), None)

    @property
    def record_books(self) -> tuple[str, ...]:
        """The ids of the record books the decision names."""
        return tuple(book for book, _title, _fields in self.records)
