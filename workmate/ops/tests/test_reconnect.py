"""The worker and the clock ride out a database that goes away, instead of ending.

The loops are driven here with the database failing on cue (no real outage, no waiting);
bench/scale.sh stops the real PostgreSQL under load.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import InterfaceError, OperationalError
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from workmate.accounts.tasks import send_password_reset_email
from workmate.inbox.management.commands import clock as clock_command
from workmate.ops.management.commands import db_worker

WORKER_ID = "host:1:reconnect"


@pytest.fixture
def outage(monkeypatch):
    """Record the worker's sleeps and connection resets instead of doing them."""
    record = {"sleeps": [], "closed": 0}
    monkeypatch.setattr(db_worker.time, "sleep", record["sleeps"].append)

    def close_all() -> None:
        record["closed"] += 1

    monkeypatch.setattr(db_worker.connections, "close_all", close_all)
    return record


def make_worker() -> db_worker.ReconnectingWorker:
    return db_worker.ReconnectingWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=WORKER_ID,
        excluded_queue_names=[],
    )


def test_the_worker_waits_longer_each_time_and_carries_on(db, monkeypatch, outage):
    errors = [OperationalError("server closed the connection"), InterfaceError("closed"), None]
    runs = []

    def run(self) -> None:
        runs.append(1)
        error = errors.pop(0)
        if error is not None:
            raise error

    monkeypatch.setattr(Worker, "run", run)
    make_worker().run()
    assert len(runs) == 3
    assert outage["sleeps"] == [1.0, 2.0]
    assert outage["closed"] == 2


def test_a_job_cut_off_by_the_outage_is_handed_back(db, settings, monkeypatch, outage):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # A one-off job (run again when cut off); the periodic ones are failed instead.
    send_password_reset_email.enqueue(user_id=1, domain="example.com", use_https=True)
    job = DBTaskResult.objects.get()
    errors = [OperationalError("terminating connection due to administrator command"), None]

    def run(self) -> None:
        error = errors.pop(0)
        if error is not None:
            # The worker claimed the job; finishing it needed the database, which went away.
            job.claim(WORKER_ID)
            raise error

    monkeypatch.setattr(Worker, "run", run)
    make_worker().run()
    job.refresh_from_db()
    # Not left RUNNING under a live worker's id for ever: back in the queue.
    assert job.status == "READY"
    assert job.worker_ids == [WORKER_ID]


def test_a_stopping_worker_does_not_retry(db, monkeypatch, outage):
    def run(self) -> None:
        self.running = False
        raise OperationalError("gone")

    monkeypatch.setattr(Worker, "run", run)
    with pytest.raises(OperationalError):
        make_worker().run()
    assert outage["sleeps"] == []


def test_the_clock_skips_a_tick_the_database_refused_and_keeps_going(db, monkeypatch):
    closed = []
    monkeypatch.setattr(clock_command.connections, "close_all", lambda: closed.append(1))

    def tick(now=None):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(clock_command.clock, "tick", tick)
    # Before: the error ended the clock process.
    call_command("clock", "--once")
    assert closed == [1]
