"""The shared workflow helper: one transition table per stateful model, one `move`.

A module with states declares them (and its events) as `TextChoices` and one
`TransitionTable` `{(state, event): Transition(next_state, permission, clause, action)}`,
checked when the module is imported. `move(obj, event, actor=…, table=…)` is then the only
way the object changes state: it refuses anything the table does not list
(`TransitionRefused`, naming the state and the event in Japanese), checks the transition's
permission through `access.require` (a `Refusal` otherwise; nothing written), sets the new
state, saves the changed fields and writes one ChangeRecord with the transition's
registered audit action. A transition whose permission is None is decided by the caller's
own rule (an approval step's entitlement …), which its `clause` names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from kitei.core import access, audit
from kitei.core.models import ChangeRecord, Organization
from kitei.core.services import record_change
from kitei.policy.permissions import BY_ID as PERMISSION_INFO


@dataclass(frozen=True, kw_only=True)
class Transition:
    """Where an event takes an object, who may cause it, why, and how the trail names it.

    `permission` None means the caller checks its own rule before moving (e.g. whether the
    approver holds a role of the current step); `clause` then says which rule that is.
    """

    next_state: str
    permission: access.Permission | None
    clause: str
    action: audit.AuditAction


class TransitionRefused(ValidationError):  # noqa: N818 - named for what the caller sees
    """An event the table does not allow from the object's current state."""

    def __init__(self, *, subject: str, state: str, event: str) -> None:
        self.state, self.event = state, event
        super().__init__(
            _("この%(subject)sは「%(state)s」のため、「%(event)s」はできません。")
            % {"subject": subject, "state": state, "event": event},
            code="transition",
        )


class TransitionTable:
    """The one table of a stateful model: `(state, event)` → `Transition`; nothing else moves.

    Built once at import; a state, event, permission or audit action that is not declared
    is a `ValueError` there, not at the first request.
    """

    def __init__(
        self,
        *,
        states: type[models.TextChoices],
        events: type[models.TextChoices],
        transitions: Mapping[tuple[str, str], Transition],
        field: str = "state",
    ) -> None:
        self.states, self.events, self.field = states, events, field
        self._table: dict[tuple[str, str], Transition] = {}
        for (state, event), transition in transitions.items():
            self._check(state, event, transition)
            self._table[(str(state), str(event))] = transition

    def _check(self, state: str, event: str, transition: Transition) -> None:
        where = f"{self.states.__qualname__} ({state}, {event})"
        if state not in self.states.values or transition.next_state not in self.states.values:
            raise ValueError(f"{where}: states must be members of {self.states.__qualname__}")
        if event not in self.events.values:
            raise ValueError(f"{where}: event must be a member of {self.events.__qualname__}")
        permission = transition.permission
        known = permission is None or permission in PERMISSION_INFO or permission == "site.manage"
        if not known:
            raise ValueError(f"{where}: unknown permission {permission!r}")
        if not audit.is_registered(transition.action):
            raise ValueError(f"{where}: audit action {transition.action!r} is not registered")
        if not transition.clause.strip():
            raise ValueError(f"{where}: a transition names the clause or rule behind it")

    def __iter__(self) -> Iterator[tuple[tuple[str, str], Transition]]:
        """Every ((state, event), transition) of the table."""
        return iter(self._table.items())

    def get(self, state: str, event: str) -> Transition | None:
        """The transition of `event` from `state`, or None when the table has none."""
        return self._table.get((str(state), str(event)))

    def allows(self, state: str, event: str) -> bool:
        """Whether the table lists `event` from `state`."""
        return (str(state), str(event)) in self._table

    def events_from(self, state: str) -> list[models.TextChoices]:
        """The events the table allows from `state`, in the order the events are declared."""
        return [e for e in self.events if (str(state), e.value) in self._table]

    def state_of(self, obj: models.Model) -> str:
        """The object's current state value."""
        return str(getattr(obj, self.field))

    def transition_for(self, obj: models.Model, event: str) -> Transition:
        """The transition of `event` from the object's state, or `TransitionRefused`."""
        state = self.state_of(obj)
        found = self.get(state, event)
        if found is None:
            raise TransitionRefused(
                subject=str(obj._meta.verbose_name),
                state=str(self.states(state).label) if state in self.states.values else state,
                event=str(self.events(event).label) if event in self.events.values else event,
            )
        return found


def available_events(
    obj: models.Model, *, table: TransitionTable, actor: access.Actor | None = None
) -> list[models.TextChoices]:
    """The events that could move the object now (for showing buttons).

    With an `actor`, events whose permission the actor lacks are left out; events with no
    permission (the caller's own rule decides) stay for the caller to judge.
    """
    events = table.events_from(table.state_of(obj))
    if actor is None:
        return events
    allowed = []
    for event in events:
        transition = table.get(table.state_of(obj), event.value)
        assert transition is not None  # events_from listed it
        if transition.permission is None or access.check(actor, transition.permission, obj):
            allowed.append(event)
    return allowed


def _organization_of(obj: models.Model) -> Organization:
    organization = getattr(obj, "organization", None)
    if not isinstance(organization, Organization):
        raise TypeError(f"{obj._meta.label} has no organization to record the move in")
    return organization


@transaction.atomic
def move(
    obj: models.Model,
    event: str,
    *,
    actor: access.Actor,
    table: TransitionTable,
    changes: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
) -> ChangeRecord:
    """Move `obj` by `event` along `table`; refuse, check, save and record as one step.

    `changes` are other fields set with the move (a decision time …); `details` go into
    the ChangeRecord beside the states, the event and the transition's clause. Returns the
    ChangeRecord written. A refusal raises before anything is changed or written.
    """
    transition = table.transition_for(obj, event)
    if transition.permission is not None:
        access.require(actor, transition.permission, obj)
    before = table.state_of(obj)
    values = {table.field: transition.next_state, **(changes or {})}
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name, value in values.items():
        setattr(obj, name, value)
    if changed:
        obj.save(update_fields=changed)
    return record_change(
        _organization_of(obj),
        actor=actor,
        action=transition.action,
        obj=obj,
        before={"state": before},
        after={
            "state": str(transition.next_state),
            "event": str(event),
            "clause": transition.clause,
            **(details or {}),
        },
    )
