"""Checks of the pack's `periodic_duties[].satisfied_by` (the loader reports them file:line).

`satisfied_by` names what proves a duty done: one of `SATISFIED_BY`, or `book:<id>` naming a
record book of the same pack. `scope` (organization, department, system, person, contract)
is checked by the model itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from kitei.policy.model import Pack

SATISFIED_BY = (
    "audit",
    "self_inspection",
    "training_session",
    "drill",
    "review",
    "contract_check",
)
"""What may prove a duty done, besides an entry of a named record book (`book:<id>`)."""


def duty_errors(pack: Pack, at: Callable[..., str]) -> Iterator[str]:
    """Unknown kinds of proof and undefined record books in `satisfied_by`."""
    books = {b.id for b in pack.record_books}
    for i, duty in enumerate(pack.periodic_duties):
        seen: set[str] = set()
        for kind in duty.satisfied_by:
            where = at("periodic_duties", i, "satisfied_by")
            if kind in seen:
                yield f"{where}: '{kind}' is named twice in satisfied_by"
            seen.add(kind)
            if kind.startswith("book:"):
                if kind[5:] not in books:
                    yield f"{where}: undefined record book '{kind[5:]}' in satisfied_by"
            elif kind not in SATISFIED_BY:
                known = ", ".join((*SATISFIED_BY, "book:<id>"))
                yield f"{where}: unknown satisfied_by '{kind}' (one of: {known})"
