"""The real background worker runs a web upload's Asana import.

Like accounts' worker test, this starts `manage.py db_worker` as its own process against
the test database, so the test commits its rows (`transaction=True`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from workmate.testing.factories import make_project
from workmate.work.models import ImportJob, ImportStatus

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
WORKER_TIMEOUT = 60  # seconds
FIXTURE = Path(__file__).parent / "fixtures" / "asana_project.csv"


def _test_database_url() -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


@pytest.mark.django_db(transaction=True)
def test_worker_imports_an_uploaded_file(client, settings, alice, bob, team):
    settings.TASKS = {"default": {"BACKEND": DATABASE_BACKEND, "QUEUES": ["default"]}}
    project = make_project(name="Migration", team=team, owner=alice)
    client.force_login(alice)

    response = client.post(
        reverse("work:import_asana", args=[project.pk]),
        {"file": SimpleUploadedFile("asana.csv", FIXTURE.read_bytes(), "text/csv")},
    )

    job = ImportJob.objects.get()
    assert response.url == reverse("work:import_job", args=[project.pk, job.pk])
    assert job.status == ImportStatus.QUEUED
    page = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in page

    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "TASKS_BACKEND": DATABASE_BACKEND,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "WORKMATE_TESTING": "1",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output, _stderr = worker.communicate(timeout=WORKER_TIMEOUT)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, output

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.report
    assert job.report["created"] == 17
    assert project.tasks.count() == 17
    page = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in page
    assert "17 created, 0 updated, 0 unchanged." in page
