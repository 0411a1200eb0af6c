"""Register imports too long for a page: run as a background task, their progress shown.

Each register app says how its file is imported (`register_import`, from its
AppConfig.ready): the permission the import needs and the function that checks a file
and writes it. A page that has checked a file of more than IMPORT_TASK_ROWS rows calls
`start_import`: the file is kept in a `TaskProgress` row of the organisation, the start is
recorded in the audit trail and the task `kitei.core.tasks.run_import` enqueued. The task
acts as the member who started it, fetched again by id: their permission is checked again
(it may have been taken away meanwhile), then the file is checked again row by row, the
count stored about twice a second, and written in one transaction — all or nothing, as on
the page. The file is dropped when the task ends.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from kitei.core import access, progress, tenancy
from kitei.core.actors import Operator
from kitei.core.choices import CoreAuditAction
from kitei.core.models import TASK_TRANSITIONS, Organization, TaskProgress, TaskState
from kitei.core.services import record_change

KEPT_ERRORS = 500  # as many bad rows as an import page lists (kitei.core.transfer)
SAVE_EVERY = 0.5  # seconds between two stores of the row count


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What an import did: a one-sentence summary, or one Japanese line per bad row."""

    summary: str = ""
    errors: Sequence[str] = ()


# (organisation, file, acting member, options given at the start) -> outcome
Runner = Callable[[Organization, bytes, access.Actor, Mapping[str, Any]], Outcome]


@dataclass(frozen=True, kw_only=True)
class ImportKind:
    """One register's import: its title, the permission it needs, where its pages are."""

    kind: str
    title: str | Promise  # the register's Japanese name, e.g. 情報資産台帳
    permission: access.Permission
    run: Runner
    list_url: str  # URL name of the register (shown after a successful import)
    import_url: str  # URL name of the import page


_KINDS: dict[str, ImportKind] = {}


def register_import(kind: ImportKind) -> None:
    """Make a register's import available as a task (an app calls this from ready())."""
    known = _KINDS.get(kind.kind)
    if known is not None and known != kind:
        raise ValueError(f"import {kind.kind!r} is registered twice")
    _KINDS[kind.kind] = kind


def import_kind(kind: str) -> ImportKind:
    """The registered import of a register; LookupError when none is."""
    try:
        return _KINDS[kind]
    except KeyError:
        raise LookupError(f"no import {kind!r} is registered") from None


def runs_as_task(rows: int) -> bool:
    """Whether an import of this many rows runs in the background (KITEI_IMPORT_TASK_ROWS)."""
    return rows > int(settings.IMPORT_TASK_ROWS)


def start_import(
    organization: Organization,
    kind: str,
    data: bytes,
    *,
    actor: access.Actor,
    total: int,
    file_name: str = "",
    options: Mapping[str, Any] | None = None,
) -> TaskProgress:
    """Keep a checked file and enqueue its import; the start is in the audit trail."""
    entry = import_kind(kind)
    access.require(actor, entry.permission, organization)
    user = actor if isinstance(actor, get_user_model()) else None
    with transaction.atomic():
        item = TaskProgress.objects.create(
            organization=organization,
            kind=kind,
            started_by=user,
            started_by_name=str(actor.get_username()),
            file_name=file_name[:255],
            total=total,
            upload=data,
            options=dict(options or {}),
        )
        record_change(
            organization,
            actor=actor,
            action=CoreAuditAction.START_IMPORT,
            obj=item,
            after={
                "kind": kind,
                "file": file_name,
                "rows": total,
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            },
        )
    from kitei.core.tasks import run_import  # noqa: PLC0415 - the task module imports this one

    result = run_import.enqueue(item.pk)
    TaskProgress.objects.filter(pk=item.pk).update(task_id=str(result.id))
    item.refresh_from_db()  # a backend that runs tasks at once has finished it by now
    return item


def run(progress_id: int) -> str:
    """Run a started import (the task's body); returns one line for the task's result."""
    item = TaskProgress.objects.select_related("organization").filter(pk=progress_id).first()
    if item is None:
        return f"import #{progress_id} does not exist"
    if item.state != TaskState.QUEUED:
        return f"import #{progress_id} was already run ({item.state})"  # a task run twice
    operator = Operator(name=f"task:run_import (enqueued by {item.started_by_name})")
    try:
        entry = import_kind(item.kind)
        actor = _starter(item, entry)
        _move(item, TaskState.CHECKING)
        with progress.reporting(_Reporter(item)):
            outcome = entry.run(item.organization, bytes(item.upload), actor, item.options)
    except PermissionDenied as exc:  # access.Refusal, from the start or from a service
        reason = exc.verdict.message if isinstance(exc, access.Refusal) else str(exc)
        _finish(item, TaskState.REFUSED, operator, errors=[reason])
    except ValidationError as exc:  # a service refused a row: nothing was written
        _finish(item, TaskState.INVALID, operator, errors=exc.messages)
    except Exception:
        problem = _("予期しないエラーのため中止しました。何も取り込んでいません。")
        _finish(item, TaskState.FAILED, operator, errors=[problem])
        raise  # the task fails with its traceback (`kitei tasks list`)
    else:
        state = TaskState.INVALID if outcome.errors else TaskState.SUCCEEDED
        _finish(item, state, operator, summary=outcome.summary, errors=outcome.errors)
    return f"import #{item.pk} ({item.kind}): {item.state} {item.summary}".rstrip()


def _starter(item: TaskProgress, entry: ImportKind) -> access.Actor:
    """The member who started the import, acting in the import's organisation, if they still
    may import there (access.Refusal if not: e.g. their membership there has ended)."""
    users = get_user_model().objects.filter(is_active=True)
    user = users.filter(pk=item.started_by_id).first() if item.started_by_id else None
    if user is None:
        reason = access.Reason(text=_("取り込みを始めた利用者のアカウントが無効です。"))
        raise access.Refusal(
            access.Verdict(allowed=False, permission=entry.permission, reasons=(reason,))
        )
    membership = tenancy.membership_in(user, item.organization_id)
    tenancy.bind(user, membership)
    lapsed = tenancy.lapsed_membership(user, item.organization_id) if membership is None else None
    if lapsed is not None:
        reason = access.Reason(text=tenancy.lapse_message(lapsed))
        raise access.Refusal(
            access.Verdict(allowed=False, permission=entry.permission, reasons=(reason,))
        )
    access.require(user, entry.permission, item.organization)
    return user


def _move(item: TaskProgress, to: TaskState, *fields: str) -> None:
    """Store a new state (and `fields`); any move TASK_TRANSITIONS does not list is a bug."""
    if to not in TASK_TRANSITIONS[item.state]:
        raise ValueError(f"import #{item.pk}: {item.state} -> {to} is not a transition")
    item.state = to
    item.save(update_fields=["state", "done", "updated_at", *fields])


def _finish(
    item: TaskProgress,
    state: TaskState,
    operator: Operator,
    *,
    summary: str = "",
    errors: Sequence[str] = (),
) -> None:
    """End the import: its outcome stored and audited, its file and options dropped."""
    with transaction.atomic():
        item.summary = summary
        item.errors = [str(e) for e in errors[:KEPT_ERRORS]]
        item.error_count = len(errors)
        item.upload = b""
        item.options = {}
        item.finished_at = timezone.now()
        _move(item, state, "summary", "errors", "error_count", "upload", "options", "finished_at")
        record_change(
            item.organization,
            actor=operator,
            action=CoreAuditAction.FINISH_IMPORT,
            obj=item,
            after={"kind": item.kind, "state": state.value, "summary": summary,
                   "errors": len(errors)},
        )  # fmt: skip


class _Reporter:
    """Stores the rows checked so far in the TaskProgress row, at most every SAVE_EVERY s."""

    def __init__(self, item: TaskProgress) -> None:
        self.item = item
        self.saved = time.monotonic()

    def advance(self, rows: int = 1) -> None:
        self.item.done += rows
        now = time.monotonic()
        if now - self.saved >= SAVE_EVERY or self.item.done == self.item.total:
            TaskProgress.objects.filter(pk=self.item.pk).update(
                done=self.item.done, updated_at=timezone.now()
            )
            self.saved = now

    def writing(self) -> None:
        _move(self.item, TaskState.WRITING)
