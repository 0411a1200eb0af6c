"""The adoption record of a pack that adopts a shipped pack as its baseline (`kitei policy adopt`).

Kept apart from `kitei.policy.model` (which imports it for `Pack.adoption`); see
`kitei.policy.adoption` for how a pack is adopted and compared with its model.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Deviation(_Frozen):
    """A rule of the model pack the organisation did not adopt, and why."""

    rule: str
    reason: str = Field(min_length=1)


class Adoption(_Frozen):
    """The organisation's decision to adopt a shipped pack as its baseline.

    Rules marked `adopted: true` come from this model pack, at this version and digest, by the
    decision of `decided_by` on `decided_on`; `roles` maps the model's role ids to this pack's.
    """

    pack: str
    version: str
    digest: str
    decided_by: str = Field(min_length=1)
    decided_on: str  # ISO date, YYYY-MM-DD
    roles: dict[str, str] = Field(default_factory=dict)  # model role id → this pack's role id
    classification: bool = False  # the model's classification scheme is adopted too
    deviations: tuple[Deviation, ...] = ()
