"""Pack schema for incidents: the kinds staff pick, severity levels, machine conditions on
reporting steps and the clause behind CSIRT triage.

Only what the seed gives: `severity_levels` name the levels the seed names (003 「重大な事故」;
002 names none), `incident_kinds` map the reporting chains' `event`s to the words staff pick,
and a step's `when` turns the free-text `condition` into flags the filing form asks for.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kitei.policy.model_controls import QUOTE_MAX

StepKind = Literal["report", "instruction", "triage", "notify_party"]
"""report: a hop of the chain (opens when the steps to its sender are acknowledged);
triage / instruction / notify_party: the CSIRT's, opened when it judges the report an
incident (対応中)."""

StepStage = Literal["filing", "incident", "prevention"]
"""When a step opens: with the chain from filing, when the CSIRT judges the report an
incident (対応中), or with the recurrence-prevention report (再発防止策報告)."""

FLAG_NAMES: tuple[str, ...] = (
    "personal_data",
    "specific_personal_data",
    "attack",
    "crime_suspected",
)
"""The incident flags a step's `when` may test (besides `severity` and `reporter`)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class StepWhen(_Frozen):
    """A machine condition on a reporting step: every key given must hold.

    The flag keys (`personal_data` …) hold together (`match: all`) or any one of them
    (`match: any`, e.g. 個人情報又は特定個人情報). `severity` names a level of the pack's
    `severity_levels`; `reporter: member_firm` is 003 6(4)イ(イ)'s route (社員→組合員→…),
    `reporter: secretariat` its route (ア) inside the 事務局. `decision: required` asks the
    CSIRT to decide (必要に応じて) with a written reason.
    """

    personal_data: bool | None = None
    specific_personal_data: bool | None = None
    attack: bool | None = None
    crime_suspected: bool | None = None
    match: Literal["all", "any"] = "all"
    severity: str | None = None
    reporter: Literal["member_firm", "secretariat"] | None = None
    decision: Literal["required"] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> StepWhen:
        if not (self.model_fields_set - {"match"}):
            raise ValueError("empty when")
        return self

    def flags(self) -> dict[str, bool]:
        """The flag tests given, by name."""
        return {n: v for n in FLAG_NAMES if (v := getattr(self, n)) is not None}

    def holds(self, flags: set[str], *, severity: str | None, member_firm: bool) -> bool:
        """Whether the condition holds for an incident with these flags (decision aside)."""
        tests = [(name in flags) == wanted for name, wanted in self.flags().items()]
        if tests and not (all(tests) if self.match == "all" else any(tests)):
            return False
        if self.severity is not None and severity != self.severity:
            return False
        if self.reporter is not None:
            return (self.reporter == "member_firm") == member_firm
        return True


class SeverityLevel(_Frozen):
    """A severity the seed names (003 6(4)イ 「重大な事故」), with its citation."""

    id: str
    title: str
    clause: str = Field(min_length=1)
    quote: str = Field(min_length=1, max_length=QUOTE_MAX)
    source: str | None = None


class IncidentKind(_Frozen):
    """What staff pick when filing (インシデント, 侵害, 誤送信 …): the chains' event it opens."""

    id: str
    title: str
    event: str
    clause: str = Field(min_length=1)
    quote: str = Field(min_length=1, max_length=QUOTE_MAX)
    source: str | None = None


class StageCitation(_Frozen):
    """The clause and verbatim quote behind one stage of the response."""

    clause: str = Field(min_length=1)
    quote: str = Field(min_length=1, max_length=QUOTE_MAX)
    source: str | None = None


class IncidentTriage(_Frozen):
    """Who evaluates a report and the clauses behind each stage of the response.

    `role` evaluates (議会CSIRT, 組合CSIRT); `ciso` records the closing instruction. A stage
    the seed gives no clause for stays None and the application shows 「パックに定めなし」.
    """

    role: str
    ciso: str | None = None
    clause: str = Field(min_length=1)  # 評価 (6-3(2)ア)
    quote: str = Field(min_length=1, max_length=QUOTE_MAX)
    source: str | None = None
    respond: StageCitation | None = None  # 対応中 (6-3(2)イ, ウ)
    recover: StageCitation | None = None  # 復旧 (6-3(2)ウ)
    prevention: StageCitation | None = None  # 再発防止策報告 (6-3(2)エ)
    close: StageCitation | None = None  # 終結 (6-3(2)オ)
