"""Periodic jobs: what `kitei tasks periodic` enqueues when cron or a systemd timer runs it.

Apps register their jobs from their AppConfig.ready (core imports no app above it). A job
takes the operator it acts as — `task:NAME (enqueued by WHO)`, recorded in the audit
trail by whatever the job changes — and returns one line saying what it did, kept as the
task's result. How often a job runs is the operator's schedule (the timer or crontab),
never a number kitei invents where the policy gives none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kitei.core.actors import Operator


@dataclass(frozen=True, kw_only=True)
class PeriodicJob:
    """A job run on the operator's schedule: its name (app.job), title and function."""

    name: str
    title: str
    run: Callable[[Operator], str]


_JOBS: dict[str, PeriodicJob] = {}


def register_periodic(job: PeriodicJob) -> None:
    """Add a periodic job (an app calls this from ready()); a name is registered once."""
    known = _JOBS.get(job.name)
    if known is not None and known != job:
        raise ValueError(f"periodic job {job.name!r} is registered twice")
    _JOBS[job.name] = job


def periodic_jobs() -> list[PeriodicJob]:
    """Every registered periodic job, by name."""
    return [_JOBS[name] for name in sorted(_JOBS)]


def periodic_job(name: str) -> PeriodicJob:
    """The periodic job of that name; LookupError naming the known ones otherwise."""
    try:
        return _JOBS[name]
    except KeyError:
        known = ", ".join(sorted(_JOBS)) or "none"
        raise LookupError(f"no periodic job {name!r} (known: {known})") from None


def enqueue_periodic(names: Sequence[str], *, enqueued_by: Operator) -> list[tuple[str, str]]:
    """Enqueue the named jobs (all when none are named); returns (name, task id) pairs."""
    from kitei.core.tasks import run_periodic_job  # noqa: PLC0415 - it imports this module

    chosen = [periodic_job(name) for name in names] if names else periodic_jobs()
    return [
        (job.name, str(run_periodic_job.enqueue(job.name, enqueued_by.name).id)) for job in chosen
    ]


def run_periodic(name: str, enqueued_by: str) -> str:
    """Run one periodic job as `task:NAME (enqueued by WHO)`; returns its line."""
    job = periodic_job(name)
    return job.run(Operator(name=f"task:{name} (enqueued by {enqueued_by})"))
