"""The real background worker: a password-reset mail queued by a request goes out over SMTP.

This starts `manage.py db_worker` as its own process against the test database, so the
test commits its rows (`transaction=True`) and, on SQLite, the test database is a file
(see DATABASES["default"]["TEST"] in settings).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from workmate.accounts.tasks import send_password_reset_email
from workmate.testing.factories import make_user
from workmate.testing.smtp import SMTPSink

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"
WORKER_TIMEOUT = 60  # seconds; the worker normally finishes in about two.


def _test_database_url() -> str:
    """DATABASE_URL for the database this test runs on: the test copy, not the real one."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        assert not connection.creation.is_in_memory_db(name), (
            "The worker cannot open an in-memory test database; give SQLite a TEST NAME."
        )
        return f"sqlite:///{name}"
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


def _run_worker(email_url: str) -> str:
    """Run the worker until the queue is empty and return its output."""
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "TASKS_BACKEND": DATABASE_BACKEND,
        "EMAIL_URL": email_url,
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
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _stderr = worker.communicate()
        pytest.fail(f"db_worker did not finish within {WORKER_TIMEOUT} s:\n{output}")
    finally:
        # Whatever happened above (even Ctrl+C), no worker outlives the test.
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, f"db_worker exited with {worker.returncode}:\n{output}"
    return output


@pytest.mark.django_db(transaction=True)
def test_worker_sends_queued_password_reset_mail(client, settings, smtp_sink: SMTPSink):
    settings.TASKS = {"default": {"BACKEND": DATABASE_BACKEND, "QUEUES": ["default"]}}
    person = make_user(email="dana@example.com", full_name="Dana Choi")

    response = client.post(reverse("password_reset"), {"email": "Dana@Example.com"})

    assert response.status_code == 302
    queued = DBTaskResult.objects.get()
    assert queued.status == TaskResultStatus.READY
    assert queued.task_path == send_password_reset_email.module_path
    assert queued.args_kwargs["kwargs"]["user_id"] == person.pk
    assert smtp_sink.mails == []

    output = _run_worker(smtp_sink.url)

    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL, queued.traceback or output
    assert queued.return_value is True
    [mail] = smtp_sink.mails
    assert mail.recipients == ["dana@example.com"]
    assert mail.message["To"] == "dana@example.com"
    assert mail.message["Subject"] == "Workmate: choose a new password"
    body = mail.message.get_body(("plain",)).get_content()
    link = re.search(r"http://testserver(/password/reset/[^/\s]+/[^/\s]+/)", body)
    assert link, body
    # The worker signed the link with the same secret: it opens the new-password form.
    page = client.get(link.group(1), follow=True)
    assert 'name="new_password1"' in page.content.decode()
