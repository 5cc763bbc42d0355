"""Jobs whose worker died are run again or failed, by kind, and never left RUNNING."""

from __future__ import annotations

import datetime
import io
import os
import socket
import subprocess
import sys
import time

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from workmate.inbox import clock  # Also registers the periodic tasks' kind.
from workmate.ops import jobs
from workmate.ops.models import WorkerHeartbeat
from workmate.testing.factories import make_project
from workmate.work.models import ImportJob, ImportStatus
from workmate.work.tasks import run_asana_import

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
CSV = "Task ID,Name,Section/Column\n1,Only task,Doing\n"


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": DATABASE_BACKEND, "QUEUES": ["default"]}}


def gone_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def claim(result_id, worker_id: str) -> DBTaskResult:
    row = DBTaskResult.objects.get(pk=result_id)
    row.claim(worker_id)
    return row


def beat(worker_id: str, *, pid: int, host: str | None = None, ago: int = 0) -> None:
    WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        host=host or socket.gethostname(),
        pid=pid,
        last_seen=timezone.now() - datetime.timedelta(seconds=ago),
    )


@pytest.fixture
def import_job(db_tasks, alice, team):
    project = make_project(name="Migration", team=team, owner=alice)
    job = ImportJob.objects.create(
        project=project,
        created_by=alice,
        file=SimpleUploadedFile("a.csv", CSV.encode()),
        status=ImportStatus.RUNNING,
        report={"assignee_map": {"Someone": alice.pk}},
    )
    result = run_asana_import.enqueue(job.pk)
    return job, result


@pytest.mark.django_db
def test_a_job_of_a_worker_whose_process_is_gone_runs_again_at_once(import_job):
    job, result = import_job
    claim(result.id, "w1")
    beat("w1", pid=gone_pid())  # Fresh heartbeat, but the process is gone from this host.

    assert jobs.recover_lost_jobs() == [(str(result.id), "rerun")]

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "READY"
    assert row.worker_ids == ["w1"]
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
    assert job.report["assignee_map"] == {"Someone": job.created_by_id}
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db
def test_a_live_worker_keeps_its_job(import_job):
    job, result = import_job
    claim(result.id, "w1")
    beat("w1", pid=os.getpid())

    assert jobs.recover_lost_jobs() == []
    assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING


@pytest.mark.django_db
def test_a_live_worker_here_whose_beats_are_held_up_keeps_its_job(import_job):
    # A long SQLite write can hold the heartbeat back; the process is there, so it lives.
    _job, result = import_job
    claim(result.id, "w1")
    beat("w1", pid=os.getpid(), ago=120)
    assert jobs.recover_lost_jobs() == []

    # Silent for ten minutes, the process id must belong to someone else by now.
    WorkerHeartbeat.objects.update(last_seen=timezone.now() - datetime.timedelta(minutes=11))
    assert jobs.recover_lost_jobs() == [(str(result.id), "rerun")]


@pytest.mark.django_db
def test_a_silent_heartbeat_on_another_host_is_noticed_after_30_seconds(import_job):
    _job, result = import_job
    claim(result.id, "w1")
    beat("w1", pid=1, host="elsewhere")
    now = timezone.now()

    assert jobs.recover_lost_jobs(now + datetime.timedelta(seconds=29)) == []
    assert jobs.recover_lost_jobs(now + datetime.timedelta(seconds=31)) == [
        (str(result.id), "rerun")
    ]


@pytest.mark.django_db
def test_a_worker_without_heartbeat_is_given_the_stale_delay(import_job):
    _job, result = import_job
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        claim(result.id, "w1")
        assert jobs.recover_lost_jobs() == []
        traveller.shift(datetime.timedelta(seconds=jobs.STALE_SECONDS + 1))
        assert jobs.recover_lost_jobs() == [(str(result.id), "rerun")]


@pytest.mark.django_db
def test_an_import_tried_three_times_says_it_failed(import_job):
    job, result = import_job
    for attempt in (1, 2, 3):
        claim(result.id, f"w{attempt}")
        # The third worker dies before it takes the import itself (still queued).
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.RUNNING if attempt < 3 else ImportStatus.QUEUED
        )
        beat(f"w{attempt}", pid=gone_pid())
        jobs.recover_lost_jobs()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED"
    assert row.exception_class_path == "workmate.ops.jobs.WorkerLost"
    assert "attempt 3 of 3" in row.traceback
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.finished_at is not None
    assert job.report["errors"] == [
        {
            "line": 0,
            "reason": ("The worker running this import stopped before it finished."),
        }
    ]
    assert job.report["assignee_map"] == {"Someone": job.created_by_id}
    assert job.can_restart()


@pytest.mark.django_db
def test_a_periodic_task_is_failed_for_the_next_tick_to_queue_again(db_tasks):
    from workmate.inbox.tasks import send_digests

    result = send_digests.enqueue()
    claim(result.id, "w1")
    beat("w1", pid=gone_pid())

    assert jobs.recover_lost_jobs() == [(str(result.id), "failed")]
    assert DBTaskResult.objects.get(pk=result.id).status == "FAILED"
    # Nothing of it waits any more, so the clock queues it again at the next minute.
    assert "workmate.inbox.tasks.send_digests" in clock.tick(timezone.now())


@pytest.mark.django_db
def test_a_job_finished_meanwhile_is_left_alone(import_job):
    _job, result = import_job
    row = claim(result.id, "w1")
    beat("w1", pid=gone_pid())
    row.set_successful(None)

    assert jobs.recover_lost_jobs() == []
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_heartbeat_is_kept_fresh_and_removed_at_the_end():
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=5), tick=True):
        with jobs.heartbeat("w1", every=0.05):
            first = WorkerHeartbeat.objects.get().last_seen
        # The row is removed when the worker ends.
        assert not WorkerHeartbeat.objects.exists()
    with jobs.heartbeat("w1", every=0.05):
        row = WorkerHeartbeat.objects.get()
        assert (row.host, row.pid) == (socket.gethostname(), os.getpid())
        deadline = time.monotonic() + 5
        while WorkerHeartbeat.objects.get().last_seen <= row.last_seen:
            assert time.monotonic() < deadline, "the heartbeat did not move"
            time.sleep(0.02)
    assert first < row.last_seen


@pytest.mark.django_db
def test_the_clock_command_hands_back_lost_jobs(import_job):
    from django.core.management import call_command

    job, result = import_job
    claim(result.id, "w1")
    beat("w1", pid=gone_pid())

    call_command("clock", "--once", stdout=io.StringIO())

    assert DBTaskResult.objects.get(pk=result.id).status == "READY"
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
