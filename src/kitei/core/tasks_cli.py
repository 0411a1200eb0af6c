"""`kitei worker` and `kitei tasks periodic|jobs|list`: the background work on the server.

`kitei worker` runs the database backend's worker (django-tasks-db's `db_worker`): it
takes the enqueued tasks one by one, until stopped (systemd) or, with `--once`, until the
queue is empty (cron, tests). `kitei tasks periodic` enqueues the registered periodic jobs
(kitei.core.jobs); the operator's timer or crontab decides how often.
"""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, name)
)


def add_parser(sub: Any) -> None:
    """Register `kitei worker` and `kitei tasks`."""
    worker = sub.add_parser("worker", help="run enqueued tasks (the database backend's worker)")
    worker.add_argument(
        "--once", action="store_true", help="run every task waiting now, then exit (cron, tests)"
    )
    worker.add_argument("--max-tasks", type=int, help="exit after running this many tasks")
    worker.add_argument(
        "--interval", type=float, default=1.0, help="seconds between looks at an empty queue"
    )
    worker.add_argument("--queue", default="default", help="queue to run (default: default)")
    tasks = sub.add_parser("tasks", help="periodic jobs and task results")
    cmds = tasks.add_subparsers(dest="tasks_command", required=True, metavar="COMMAND")
    periodic = cmds.add_parser(
        "periodic", help="enqueue the periodic jobs (run from a systemd timer or cron)"
    )
    periodic.add_argument(
        "--job",
        action="append",
        default=[],
        metavar="NAME",
        help="only this job (repeatable; see `kitei tasks jobs`); default: every job",
    )
    cmds.add_parser("jobs", help="list the periodic jobs")
    listing = cmds.add_parser("list", help="recent task results, one line each")
    listing.add_argument("--limit", type=int, default=20, help="how many (default 20)")
    listing.add_argument("--failed", action="store_true", help="only failed tasks")


def run(args: argparse.Namespace) -> int:
    """Run `kitei worker` or one `kitei tasks` subcommand; returns the exit code."""
    if args.command == "worker":
        return _worker(args)
    handlers = {"periodic": _periodic, "jobs": _jobs, "list": _list}
    return handlers[args.tasks_command](args)


def _worker(args: argparse.Namespace) -> int:
    from django.core.management import call_command  # noqa: PLC0415 - Django is set up by now
    from django.core.management.base import CommandError  # noqa: PLC0415
    from django.db import DatabaseError  # noqa: PLC0415

    if args.max_tasks is not None and args.max_tasks <= 0:
        print("kitei: --max-tasks must be greater than zero", file=sys.stderr)
        return 2
    saved = {s: signal.getsignal(s) for s in _SIGNALS}
    try:
        call_command(
            "db_worker",
            batch=args.once,
            max_tasks=args.max_tasks,
            interval=args.interval,
            queue_name=args.queue,
            reload=False,
            startup_delay=not args.once,
        )
    except CommandError as exc:  # e.g. TASKS names no database backend
        print(f"kitei: worker: {exc}", file=sys.stderr)
        return 2
    except DatabaseError as exc:
        problem = " ".join(str(exc).split())
        print(f"kitei: worker: database not ready ({problem}); run kitei migrate", file=sys.stderr)
        return 2
    finally:
        for number, handler in saved.items():  # the worker's own handlers end with it
            signal.signal(number, handler)
    return 0


def _periodic(args: argparse.Namespace) -> int:
    from kitei.core import jobs  # noqa: PLC0415
    from kitei.core.actors import Operator  # noqa: PLC0415

    try:
        for name in args.job:
            jobs.periodic_job(name)  # every name known before anything is enqueued
        enqueued = jobs.enqueue_periodic(
            args.job, enqueued_by=Operator.from_os("kitei tasks periodic")
        )
    except LookupError as exc:
        print(f"kitei: {exc.args[0]}", file=sys.stderr)
        return 2
    for name, task_id in enqueued:
        print(f"kitei: enqueued {name} (task {task_id})")
    print(f"kitei: {len(enqueued)} periodic job(s) enqueued; `kitei worker` runs them")
    return 0


def _jobs(args: argparse.Namespace) -> int:
    from kitei.core import jobs  # noqa: PLC0415

    for job in jobs.periodic_jobs():
        print(f"{job.name}\t{job.title}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    results = DBTaskResult.objects.order_by("-enqueued_at")
    if args.failed:
        results = results.failed()
    for result in results[: max(args.limit, 0)]:
        print(result_line(result))
    return 0


def result_line(result: Any) -> str:
    """One task result in one line: id, status, enqueued, finished, task, result or error."""
    from django.utils import timezone  # noqa: PLC0415

    def when(moment: Any) -> str:
        return timezone.localtime(moment).isoformat(timespec="seconds") if moment else "-"

    arguments = result.args_kwargs.get("args", []) if isinstance(result.args_kwargs, dict) else []
    shown = ", ".join(str(a) for a in arguments)
    task = f"{result.task_path.rsplit('.', 1)[-1]}({shown})"
    line = (
        f"{str(result.id)[:8]}  {result.status:<10}  enqueued {when(result.enqueued_at)}  "
        f"finished {when(result.finished_at)}  {task}"
    )
    if result.status == "SUCCESSFUL" and isinstance(result.return_value, str):
        line += f"  result: {' '.join(result.return_value.split())}"
    if result.status == "FAILED":
        lines = [x.strip() for x in (result.traceback or "").splitlines() if x.strip()]
        line += f"  error: {lines[-1] if lines else result.exception_class_path}"
    return line
