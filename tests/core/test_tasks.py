"""Background work: the periodic job registry, `kitei tasks periodic|jobs|list`, `kitei worker`.

The worker tests run tasks through the real database backend (django-tasks-db) and its
worker in this process, in transactional tests: the worker commits as in production.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from kitei.assets.services import register_asset
from kitei.cli import main
from kitei.core import jobs
from kitei.core.actors import Operator
from kitei.core.models import ChangeRecord
from kitei.people.models import Person
from tests.conftest import SETUP, file_request_as

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
REMIND = "approvals.remind_pending"


@pytest.fixture
def database_tasks(settings: Any) -> None:
    """Tasks wait in the database until a worker runs them, as in production."""
    settings.TASKS = DATABASE_BACKEND


@pytest.fixture
def waiting(mito: Any, somu: Any, sato: Any, suzuki: Any) -> Any:
    """suzuki's take-out of 会議録の写し, waiting on sato (情報セキュリティ管理者 of 総務課)."""
    Person.objects.filter(pk=sato.pk).update(email="sato@example.jp")
    minutes = register_asset(
        mito,
        actor=SETUP,
        name="会議録の写し",
        department=somu,
        form="paper",
        classification={"機密性": "1", "完全性": "1", "可用性": "1"},
    )
    request = file_request_as(mito, suzuki, "asset.take_out", asset=minutes, reason="出張")
    mail.outbox.clear()  # the first notice, sent when it was filed
    return request


def _boom(actor: Operator) -> str:
    raise RuntimeError("メールサーバーに接続できません")


def test_apps_register_their_periodic_jobs() -> None:
    names = [job.name for job in jobs.periodic_jobs()]
    assert names == sorted(names)
    assert {REMIND, "records.remind_overdue_returns", "core.audit_checkpoint"} <= set(names)
    with pytest.raises(LookupError, match="no periodic job 'nope'"):
        jobs.periodic_job("nope")
    with pytest.raises(ValueError, match="registered twice"):
        jobs.register_periodic(jobs.PeriodicJob(name=REMIND, title="別物", run=_boom))


def test_tasks_jobs_lists_them(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tasks", "jobs"]) == 0
    out = capsys.readouterr().out
    assert f"{REMIND}\t承認待ちの申請を" in out
    assert "records.remind_overdue_returns\t" in out


@pytest.mark.django_db(transaction=True)
def test_periodic_enqueues_every_job_into_the_database(
    database_tasks: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tasks", "periodic"]) == 0
    queued = DBTaskResult.objects.order_by("enqueued_at")
    assert {r.args_kwargs["args"][0] for r in queued} == {j.name for j in jobs.periodic_jobs()}
    assert {r.status for r in queued} == {"READY"}
    assert {r.task_path for r in queued} == {"kitei.core.tasks.run_periodic_job"}
    enqueued_by = queued[0].args_kwargs["args"][1]
    assert enqueued_by.startswith("os:")
    assert enqueued_by.endswith("(kitei tasks periodic)")
    assert f"kitei: enqueued {REMIND} (task " in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_an_unknown_job_enqueues_nothing(
    database_tasks: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tasks", "periodic", "--job", REMIND, "--job", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no periodic job 'nope'" in err
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_queued_reminder(
    database_tasks: None, waiting: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["tasks", "periodic", "--job", REMIND]) == 0
    assert mail.outbox == []  # enqueued, not run
    assert main(["worker", "--once"]) == 0
    [result] = DBTaskResult.objects.all()
    assert result.status == "SUCCESSFUL"
    assert result.return_value.startswith("reminded 1 waiting request(s)")
    [message] = mail.outbox
    assert message.to == ["sato@example.jp"]
    assert f"（申請番号 {waiting.number}）" in message.subject
    record = ChangeRecord.objects.get(action="remind_approval")
    assert record.object_id == str(waiting.pk)
    assert record.actor_name.startswith(f"task:{REMIND} (enqueued by os:")
    capsys.readouterr()
    assert main(["tasks", "list"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert "SUCCESSFUL" in line
    assert f"run_periodic_job({REMIND}, os:" in line
    assert "result: reminded 1 waiting request(s)" in line
    # Nothing waits now: a second run of the worker has nothing to do.
    assert main(["worker", "--once"]) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_task_is_listed_with_its_error(
    database_tasks: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(
        jobs._JOBS, "tests.boom", jobs.PeriodicJob(name="tests.boom", title="失敗", run=_boom)
    )
    assert main(["tasks", "periodic", "--job", "tests.boom"]) == 0
    assert main(["worker", "--once"]) == 0  # the worker survives the task's failure
    assert DBTaskResult.objects.get().status == "FAILED"
    capsys.readouterr()
    assert main(["tasks", "list", "--failed"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert "FAILED" in line
    assert "run_periodic_job(tests.boom," in line
    assert line.endswith("error: RuntimeError: メールサーバーに接続できません")
    assert "finished 20" in line


@pytest.mark.django_db
def test_the_worker_needs_the_database_backend(capsys: pytest.CaptureFixture[str]) -> None:
    # The test settings run tasks at once: there is no queue for a worker to take.
    assert main(["worker", "--once"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "is not a database backend" in err


@pytest.mark.django_db
def test_reminders_run_at_once_with_the_immediate_backend(waiting: Any) -> None:
    [(name, _task_id)] = jobs.enqueue_periodic([REMIND], enqueued_by=Operator(name="tests"))
    assert name == REMIND
    assert [m.to for m in mail.outbox] == [["sato@example.jp"]]
    record = ChangeRecord.objects.get(action="remind_approval")
    assert record.actor_name == f"task:{REMIND} (enqueued by tests)"


@pytest.mark.django_db
def test_the_audit_checkpoint_is_a_periodic_job(
    settings: Any, mito: Any, toyama: Any, tmp_path: Any
) -> None:
    settings.CHECKPOINT_KEY, settings.CHECKPOINT_KEY_FILE = "3f" * 32, ""
    settings.CHECKPOINT_FILE = str(tmp_path / "checkpoints.jsonl")
    jobs.enqueue_periodic(["core.audit_checkpoint"], enqueued_by=Operator(name="tests"))
    lines = (tmp_path / "checkpoints.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["organization"] for line in lines) == ["mito", "toyama"]


@pytest.mark.django_db(transaction=True)
def test_an_unconfigured_checkpoint_fails_its_task(
    database_tasks: None, settings: Any, mito: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.CHECKPOINT_FILE, settings.CHECKPOINT_SYSLOG, settings.CHECKPOINT_MAIL = "", False, []
    assert main(["tasks", "periodic", "--job", "core.audit_checkpoint"]) == 0
    assert main(["worker", "--once"]) == 0
    capsys.readouterr()
    assert main(["tasks", "list"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert "FAILED" in line
    assert "CheckpointError: no checkpoint destination" in line
