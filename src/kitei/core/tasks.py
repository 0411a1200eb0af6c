"""kitei's tasks (Django's tasks framework, `django-tasks` backport): thin entry points.

Enqueued into the database (`TASKS`) and run by `kitei worker`; their arguments are plain
JSON values. Each returns one line, kept as the task's result (`kitei tasks list`).
"""

from __future__ import annotations

from django_tasks import task

from kitei.core import imports, jobs


@task()
def run_periodic_job(name: str, enqueued_by: str) -> str:
    """Run the periodic job `name` (kitei.core.jobs) as an operator naming who enqueued it."""
    return jobs.run_periodic(name, enqueued_by)


@task()
def run_import(progress_id: int) -> str:
    """Run the register import kept in TaskProgress `progress_id` (kitei.core.imports)."""
    return imports.run(progress_id)
