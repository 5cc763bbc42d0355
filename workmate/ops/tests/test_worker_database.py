"""A worker whose database goes away waits for it, then hands back the job it was in."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from workmate.inbox.tasks import send_notification_email
from workmate.ops import jobs
from workmate.ops.management.commands import db_worker
from workmate.ops.models import WorkerHeartbeat

WORKER = "scale-host:4242:abcdefgh"


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_loses_the_database_waits_and_hands_back_its_job(
    settings, monkeypatch, caplog
):
    # Issue 17: PostgreSQL stopped for 30 s under two workers. The library's loop raises
    # on a connection error; the worker must neither end nor leave its job RUNNING (its
    # heartbeat goes on, so the clock would never take that job for lost).
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    job = send_notification_email.enqueue(12345)
    runs = []

    def run(worker: Worker) -> None:
        runs.append(worker.worker_id)
        if len(runs) == 1:
            # The worker claims the job, then the database goes away under it.
            DBTaskResult.objects.get(pk=job.id).claim(worker.worker_id)
            raise OperationalError("server closed the connection unexpectedly")
        # Back: the worker runs on until it is stopped (here: at once).

    monkeypatch.setattr(Worker, "run", run)
    monkeypatch.setattr(Worker, "configure_signals", lambda worker: None)
    monkeypatch.setattr(db_worker, "RETRY_SECONDS", 0)

    call_command("db_worker", "--worker-id", WORKER, "--no-startup-delay", stdout=io.StringIO())

    assert runs == [WORKER, WORKER]
    row = DBTaskResult.objects.get(pk=job.id)
    assert row.status == TaskResultStatus.READY  # the next worker takes it
    assert row.started_at is None
    assert row.worker_ids == [WORKER]
    assert "lost the database" in caplog.text
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_handing_back_leaves_other_workers_jobs_alone(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    mine = send_notification_email.enqueue(1)
    theirs = send_notification_email.enqueue(2)
    DBTaskResult.objects.get(pk=mine.id).claim(WORKER)
    DBTaskResult.objects.get(pk=theirs.id).claim("other-host:1:zzzzzzzz")

    assert jobs.hand_back(WORKER) == [(str(mine.id), "rerun")]
    assert DBTaskResult.objects.get(pk=theirs.id).status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.get(pk=theirs.id).started_at <= timezone.now()
