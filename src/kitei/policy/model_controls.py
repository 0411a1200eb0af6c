"""Inspection items (`controls:`): what someone must or must not do, to be self-inspected.

Each control cites its clause and a verbatim quote of the seed, names who does it (pack
roles; none when the seed gives no subject), the scope it is inspected at (the whole
organisation, each 課, each system in the 情報システム台帳, each person) and its kind (the
requirements catalogue's kinds). `evidence` hints name what kitei already holds about it:
a record book (`book:<id>`), the approvals of an action (`action:<id>`) or a periodic duty
(`duty:<id>`); the loader checks that each names something the pack defines.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ControlScope = Literal["organization", "department", "system", "person"]
ControlKind = Literal[
    "approval",
    "record",
    "prohibit",
    "classify",
    "retain",
    "periodic",
    "technical",
    "report",
    "separation",
    "other",
]
CONTROL_SCOPES: tuple[str, ...] = ("organization", "department", "system", "person")
EVIDENCE_KINDS: tuple[str, ...] = ("book", "action", "duty")

QUOTE_MAX = 60  # the longest quote a pack may cite (every model of the pack uses it)
"""A quote is a short verbatim extract of the seed, at most this many characters."""

_HINT = re.compile(r"^(book|action|duty):(\S+)$")
_CONTROL_ID = re.compile(r"^\S+$")


class Control(BaseModel):
    """One inspection item of the pack, cited like every other element (clause, quote, seed)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    id: str = Field(min_length=1)
    clause: str = Field(min_length=1)
    quote: str = Field(min_length=1, max_length=QUOTE_MAX)
    source: str | None = None  # defaults to the pack's source when None
    actors: tuple[str, ...] = ()
    scope: ControlScope
    kind: ControlKind
    question: str | None = Field(default=None, min_length=1)
    evidence: tuple[str, ...] = ()

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _CONTROL_ID.match(value):
            raise ValueError("a control id has no spaces")
        return value

    @field_validator("evidence")
    @classmethod
    def _hints(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for hint in value:
            if not _HINT.match(hint):
                raise ValueError(
                    f"evidence hint {hint!r} must be book:<id>, action:<id> or duty:<id>"
                )
        return value

    def hints(self, kind: str) -> tuple[str, ...]:
        """The ids of the evidence hints of one kind (`book`, `action`, `duty`)."""
        return tuple(h.split(":", 1)[1] for h in self.evidence if h.startswith(f"{kind}:"))

    def question_text(self) -> str:
        """The pack's question, else one asked in the quote's own words."""
        if self.question:
            return self.question
        return f"「{self.quote}」のとおり実施していますか。"
