"""The policy pack model: one organisation's 情報セキュリティポリシー as validated, frozen data.

Every element that carries a rule, a role, a level or a number also carries its citation
(clause as printed, a short verbatim quote, the seed file), so every decision can cite it.
The model is pure Python (pydantic, no Django) and is the normalised form that
`kitei policy show --json` prints.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from kitei.policy.adoption_model import Adoption
from kitei.policy.decision import ApprovalMode
from kitei.policy.model_controls import QUOTE_MAX, Control
from kitei.policy.model_incidents import (
    IncidentKind,
    IncidentTriage,
    SeverityLevel,
    StepKind,
    StepStage,
    StepWhen,
)

UNSPECIFIED = "unspecified"
"""The value of any parameter the seed leaves open (定期的, 一定期間 …)."""

# ISO 8601 durations such as P1M, P1Y, P30D, PT12H (no weeks mixed with other units).
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")

# A space YAML's line folding leaves between two Japanese characters is not part of the text.
_FOLD = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")


def _unfold(value: Any) -> Any:
    return _FOLD.sub("", value.strip()) if isinstance(value, str) else value


Prose = Annotated[str, BeforeValidator(_unfold)]
"""Japanese prose (messages, criteria, decisions): folded-line spaces removed."""

RuleEffect = Literal["forbid", "approval_required", "permit"]
"""A rule's effect (`undetermined` is the engine's, never a rule's); see `decision.Effect`."""
Severity = Literal["mandatory", "recommended"]
Frequency = Literal["fiscal_year", "as_needed", "periodic_unspecified", "continuous", "per_plan"]
PackKind = Literal[
    "municipality", "special_ward", "local_legislature", "business_cooperative", "unspecified"
]
"""The kind of body a pack's organisation is (a new kind of body is added here)."""
DutyScope = Literal["organization", "department", "system", "person", "contract"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Citation(_Frozen):
    """Where an element comes from: clause as printed, a verbatim quote, and the seed file."""

    clause: str = Field(min_length=1)
    quote: str = Field(min_length=1, max_length=QUOTE_MAX)
    source: str | None = None  # defaults to the pack's source when None


class FindingOwner(Citation):
    """Who owns an audit finding in the audited 課: the pack role the clause names.

    002 10-1(6)ア: 「指摘事項を所管する情報セキュリティ管理者に対し…対処…を指示」. A pack without
    it leaves findings to be assigned by hand.
    """

    role: str


class Note(Citation):
    """A decision about the seed's own wording (a typo, an ambiguity) and how the pack reads it."""

    id: str
    decision: Prose = Field(min_length=1)


class Grant(_Frozen):
    """A kitei permission a role's holders have, cited to the clause (or pack note) giving it.

    `scope` narrows or widens where it applies (organisation, the holder's department, the
    holder's system); by default it is the role's own scope. Either `clause` and `quote`
    cite the seed, or `note` names a pack note explaining how kitei reads a silent seed.
    """

    permission: str
    scope: Literal["organization", "department", "system"] | None = None
    clause: str | None = Field(default=None, min_length=1)
    quote: str | None = Field(default=None, min_length=1, max_length=QUOTE_MAX)
    source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _cited(self) -> Grant:
        cited = self.clause is not None and self.quote is not None
        if cited == (self.note is not None):
            raise ValueError("a grant cites either clause and quote, or a pack note (note: id)")
        return self


class Role(Citation):
    """A role the organisation assigns (CISO, 情報セキュリティ管理者 …) or a category of users."""

    id: str
    title: str
    aliases: tuple[str, ...] = ()
    holder: str = UNSPECIFIED  # the position that holds it (議長, 議会事務局総務課長 …)
    authority: Prose = UNSPECIFIED
    scope: Literal["organization", "department", "system"] = "organization"
    administrative: bool = False  # needs MFA in the application (web issue)
    kind: Literal["role", "user_category", "body"] = "role"
    grants: tuple[Grant, ...] = ()  # kitei permissions its holders have (core.access)
    # The 情報システム台帳 column that names this role's holder for each system (a
    # system-scoped role held through the register, without a separate assignment).
    register_column: Literal["manager", "operator"] | None = None


class Party(Citation):
    """A body outside the organisation that reports or consultations go to (警察, 報道機関 …)."""

    id: str
    title: str
    aliases: tuple[str, ...] = ()


class Restriction(Citation):
    """A 取扱制限 (handling restriction) that applies from a level of an axis upward."""

    id: str
    text: Prose
    min: str  # the lowest level id this restriction applies to
    max: str | None = None  # the highest level id it applies to (None: the top)
    printed_row: str | None = None  # the table row the seed prints it in, when that differs


class Level(Citation):
    """One level of a classification axis, with the criteria the seed gives for it."""

    id: str
    title: str
    aliases: tuple[str, ...] = ()
    criteria: Prose


class Axis(Citation):
    """A classification axis (機密性, 完全性, 可用性, 重要性分類 …); levels run lowest first."""

    id: str
    title: str
    aliases: tuple[str, ...] = ()
    levels: tuple[Level, ...] = Field(min_length=1)
    restrictions: tuple[Restriction, ...] = ()


class Principle(Citation):
    """A classification principle (copies inherit, mixed media take the highest, labels …)."""

    id: str
    kind: Literal["copies_inherit", "mixed_take_highest", "label_required", "other"]
    text: Prose
    label_exempt_when_all_lowest: bool = False


class Classification(_Frozen):
    """The organisation's classification scheme; empty when the seed gives none."""

    status: Literal["defined", "unspecified"] = "defined"
    axes: tuple[Axis, ...] = ()
    principles: tuple[Principle, ...] = ()
    commitment: Citation | None = None  # the clause that commits to classify, if no scheme


class Condition(_Frozen):
    """A condition on a request; several keys in one mapping must all hold."""

    all: tuple[Condition, ...] | None = None
    any: tuple[Condition, ...] | None = None
    not_: Condition | None = Field(default=None, alias="not")
    classification: ClassificationTest | None = None
    context: dict[str, bool | str | int] | None = None
    actor_role: tuple[str, ...] | None = None
    resource_kind: tuple[str, ...] | None = None
    resource: dict[str, bool | str | int] | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        if not self.model_fields_set:
            raise ValueError("empty condition")
        return self


class ClassificationTest(_Frozen):
    """Holds when the resource's level on `axis` lies within [min, max] or in `in`."""

    axis: str
    min: str | None = None
    max: str | None = None
    in_: tuple[str, ...] | None = Field(default=None, alias="in")

    @model_validator(mode="after")
    def _some_bound(self) -> ClassificationTest:
        if self.min is None and self.max is None and self.in_ is None:
            raise ValueError("a classification test needs min, max or in")
        return self


class ApprovalStep(_Frozen):
    """One step of an approval route: one (`any_of`) or every (`all_of`) role must approve."""

    mode: ApprovalMode = ApprovalMode.ALL_OF
    roles: tuple[str, ...] = Field(min_length=1)


class Obligation(_Frozen):
    """Something the requester must do or confirm (暗号化, 鍵付きケース, 事後報告 …)."""

    id: str
    text: Prose


class Rule(Citation):
    """What the policy says about one action under a condition, and why."""

    id: str
    action: str
    title: str | None = None
    when: Condition | None = None
    effect: RuleEffect
    approvals: tuple[ApprovalStep, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    records: tuple[str, ...] = ()
    message: Prose = Field(min_length=1)
    severity: Severity = "mandatory"
    adopted: bool = False  # adopted from the model pack the pack's `adoption` names

    @model_validator(mode="after")
    def _approvals_match_effect(self) -> Rule:
        if self.effect == "approval_required" and not self.approvals:
            raise ValueError("effect approval_required needs at least one approval step")
        if self.effect != "approval_required" and self.approvals:
            raise ValueError(f"effect {self.effect} cannot carry approvals")
        return self


class CustomAction(Citation):
    """An organisation-specific action (`x.` prefix) beyond the canonical vocabulary."""

    id: str
    title: str

    @field_validator("id")
    @classmethod
    def _prefixed(cls, value: str) -> str:
        if not value.startswith("x."):
            raise ValueError("a pack's own action id must start with 'x.'")
        return value


class Separation(Citation):
    """A separation-of-duties constraint, with whether and how it may be overridden.

    `when` narrows it to the requests its clause addresses (the roles 002 7-1(4)ウ names),
    with the same conditions as a rule's.
    """

    id: str
    kind: Literal["applicant_not_approver", "auditee_not_auditor", "two_person_work", "other"]
    text: Prose
    actions: tuple[str, ...] = ("*",)
    when: Condition | None = None
    override: Literal["none", "with_reason"] = "none"
    minimum_persons: int | None = None
    message: Prose


class ReportStep(Citation):
    """One hop of a reporting chain: who reports to whom, and how soon."""

    from_: tuple[str, ...] = Field(alias="from", min_length=1)
    to: tuple[str, ...] = Field(min_length=1)
    timing: str = UNSPECIFIED  # 直ちに, 速やかに … as printed
    condition: str | None = None  # when this hop applies (重大な場合 …)
    when: StepWhen | None = None  # the condition as flags the filing form asks for
    kind: StepKind = "report"
    stage: StepStage = "filing"


class ReportingChain(_Frozen):
    """How an event (incident, violation, leak …) travels through the organisation."""

    id: str
    title: str
    event: str
    steps: tuple[ReportStep, ...] = Field(min_length=1)


class PeriodicDuty(Citation):
    """A duty that recurs: 毎年度 = once per Japanese fiscal year (1 April – 31 March).

    `per_plan` is a duty whose cadence a plan outside the seed sets (003 4(5)イ: 理事会が
    定めた計画に基づき), which is neither 定期的 nor a period the seed gives.
    """

    id: str
    title: str
    actors: tuple[str, ...] = ()
    frequency: Frequency | str  # a Frequency or an ISO 8601 duration
    also_as_needed: bool = False
    # What the duty is owed for (one occurrence per 課, system …); None where the seed is silent.
    scope: DutyScope | None = None
    # What proves it done (kitei.policy.duties.SATISFIED_BY, or book:<id>); () = by hand.
    satisfied_by: tuple[str, ...] = ()

    @field_validator("frequency")
    @classmethod
    def _frequency(cls, value: str) -> str:
        allowed = {"fiscal_year", "as_needed", "periodic_unspecified", "continuous", "per_plan"}
        if value not in allowed and not DURATION.match(value):
            raise ValueError(f"frequency must be one of {sorted(allowed)} or an ISO 8601 duration")
        return value


class Parameter(Citation):
    """A number or period the policy sets; `unspecified` where the seed leaves it open."""

    id: str
    title: str
    value: str | int
    unit: Literal["duration", "count", "text"] = "duration"
    approximate: bool = False  # 程度 in the seed

    @model_validator(mode="after")
    def _value_fits_unit(self) -> Parameter:
        if self.value == UNSPECIFIED:
            return self
        if self.unit == "duration" and not (
            isinstance(self.value, str) and DURATION.match(self.value)
        ):
            raise ValueError(f"duration {self.value!r} is not ISO 8601 (e.g. P1M) or unspecified")
        if self.unit == "count" and not isinstance(self.value, int):
            raise ValueError(f"count {self.value!r} must be an integer or unspecified")
        return self


class Zone(Citation):
    """A network segment (マイナンバー利用事務系, LGWAN接続系, インターネット接続系, 管理系 …)."""

    id: str
    title: str
    aliases: tuple[str, ...] = ()
    description: Prose = ""


class Network(_Frozen):
    """The network separation model the seed defines, if any."""

    model: Literal["three_tier", "three_tier_with_management", "none", "unspecified"]
    zones: tuple[Zone, ...] = ()
    sanitization_direction: Literal["internet_to_lgwan", "both", "unspecified"] | None = None
    sanitization: Citation | None = None


class BookField(_Frozen):
    """A field of a record book."""

    id: str
    title: str


class RecordBook(Citation):
    """A record book the policy requires (廃棄記録, 入退室管理簿 …) with its fields."""

    id: str
    title: str
    fields: tuple[BookField, ...] = ()
    retention: str = UNSPECIFIED  # a parameter id, an ISO 8601 duration, or unspecified


class Pack(_Frozen):
    """One organisation's policy pack: everything its seed gives that software can act on."""

    id: str
    name: str
    organization: str
    version: str
    source: str
    kind: PackKind = "unspecified"  # the kind of body the organisation is
    description: Prose = ""
    notes: tuple[Note, ...] = ()
    undetermined: Citation
    undetermined_message: Prose
    roles: tuple[Role, ...] = ()
    parties: tuple[Party, ...] = ()
    classification: Classification = Classification(status="unspecified")
    network: Network = Network(model="unspecified")
    actions: tuple[CustomAction, ...] = ()
    rules: tuple[Rule, ...] = ()
    separation_of_duties: tuple[Separation, ...] = ()
    reporting: tuple[ReportingChain, ...] = ()
    periodic_duties: tuple[PeriodicDuty, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    record_books: tuple[RecordBook, ...] = ()
    incident_kinds: tuple[IncidentKind, ...] = ()
    severity_levels: tuple[SeverityLevel, ...] = ()
    incident_triage: IncidentTriage | None = None
    emergency_plan: Citation | None = None  # 緊急時対応計画 commitment (基本方針 packs)
    finding_owner: FindingOwner | None = None  # who owns an audit finding (002 10-1(6)ア)
    adoption: Adoption | None = None  # a model pack adopted as baseline (kitei policy adopt)
    controls: tuple[Control, ...] = ()  # inspection items (自己点検), see model_controls

    @field_validator("id")
    @classmethod
    def _pack_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("pack id must be lower-case ASCII, digits, '-', '_' or '.'")
        return value

    @model_validator(mode="after")
    def _adopted_rules_name_their_adoption(self) -> Pack:
        """A rule marked adopted needs the pack's adoption record: nothing is adopted silently."""
        if self.adoption is None and any(rule.adopted for rule in self.rules):
            raise ValueError("rules marked adopted: true need an adoption record (adoption:)")
        return self


Condition.model_rebuild()


class CaseExpectation(_Frozen):
    """What a case expects: the effect, and optionally approvers, clauses, obligations, records."""

    effect: Literal["forbid", "approval_required", "permit", "undetermined"]
    approvals: tuple[ApprovalStep, ...] | None = None
    clause: str | tuple[str, ...] | None = None
    obligations: tuple[str, ...] | None = None
    records: tuple[str, ...] | None = None
    constraints: tuple[str, ...] | None = None  # exact, order-free: separation ids returned


class Case(_Frozen):
    """One expected decision of a pack: a request and what the engine must answer."""

    name: str
    request: dict[str, Any]
    expect: CaseExpectation


class CaseFile(_Frozen):
    """A pack's cases.yaml."""

    pack: str
    cases: tuple[Case, ...] = Field(min_length=1)
