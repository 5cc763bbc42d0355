"""A real `db_worker` killed mid-import: the clock's recovery notices and the import resumes.

Like work's worker test, this starts `manage.py db_worker` as its own process against the
test database (a file for SQLite), so the test commits its rows (`transaction=True`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tasks_db.models import DBTaskResult

from workmate.ops.models import WorkerHeartbeat
from workmate.testing.factories import make_project
from workmate.work import transfer
from workmate.work.models import ImportJob, ImportStatus

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
ROWS = 1000  # Enough for the import to take a few seconds.
TIMEOUT = 120  # seconds


def _test_database_url() -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


def big_export() -> bytes:
    lines = ["Task ID,Name,Section/Column,Notes"]
    lines += [f"{n},Task number {n},Section {n % 7},Notes for task {n}" for n in range(1, ROWS + 1)]
    return ("\n".join(lines) + "\n").encode()


def start_worker(settings, *extra: str) -> subprocess.Popen:
    return manage(settings, "db_worker", "--no-startup-delay", *extra)


def manage(settings, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "TASKS_BACKEND": DATABASE_BACKEND,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "WORKMATE_TESTING": "1",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(predicate, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not predicate():
        if process.poll() is not None:
            pytest.fail(f"the worker ended before {what}:\n{process.stdout.read()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_import_resumes_after_its_worker_is_killed(settings, alice, team):
    settings.TASKS = {"default": {"BACKEND": DATABASE_BACKEND, "QUEUES": ["default"]}}
    project = make_project(name="Migration", team=team, owner=alice)
    job = transfer.do_start_import(
        alice, project, SimpleUploadedFile("asana.csv", big_export(), "text/csv")
    )
    result = DBTaskResult.objects.get()

    worker = start_worker(settings, "--interval", "0.1")
    try:
        wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).exists(),
            worker,
            "the import started",
        )
        beat = WorkerHeartbeat.objects.get()
        assert beat.pid == worker.pid
        worker.send_signal(signal.SIGKILL)
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait()

    # The crash left the job running, half way through the import.
    job.refresh_from_db()
    result.refresh_from_db()
    assert (job.status, result.status) == (ImportStatus.RUNNING, "RUNNING")
    assert result.worker_ids == [beat.worker_id]
    assert project.tasks.count() == 0

    # The clock (it looks every 15 s, and when it starts) sees the worker's process gone
    # from this host and hands the job back.
    killed_at = time.monotonic()
    clock = manage(settings, "clock")
    try:
        wait_for(
            lambda: ImportJob.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).exists(),
            clock,
            "the clock handed the import back",
        )
        noticed_after = time.monotonic() - killed_at
    finally:
        clock.send_signal(signal.SIGTERM)
        clock.communicate(timeout=TIMEOUT)
    assert noticed_after < 60
    result.refresh_from_db()
    assert result.status == "READY"
    assert not WorkerHeartbeat.objects.exists()

    # The restarted worker runs the import again, from its file, to the end.
    worker = start_worker(settings, "--batch")
    try:
        output, _ = worker.communicate(timeout=TIMEOUT)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, output
    job.refresh_from_db()
    result.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.report
    assert job.report["created"] == ROWS
    assert project.tasks.count() == ROWS
    assert result.status == "SUCCESSFUL"
    assert len(result.worker_ids) == 2
    # A worker that ends normally removes its heartbeat.
    assert not WorkerHeartbeat.objects.exists()
