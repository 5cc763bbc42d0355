"""A request id in the response, in every JSON log line, and in the worker jobs it enqueues."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from workmate.ops import requestid
from workmate.ops.logs import JsonFormatter
from workmate.ops.tasks import prune_task_results

TIMEOUT = 120


def test_a_sane_incoming_id_is_kept(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a:42.x_y")
    assert response["X-Request-ID"] == "lb-7f3a:42.x_y"


@pytest.mark.parametrize("given", ["", "has space", "a" * 129, "semi;colon", "한글"])
def test_an_odd_incoming_id_is_replaced(client, db, given):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32


def test_each_request_gets_its_own_id(client, db):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert first != second
    assert requestid.current.get() == ""  # Nothing leaks past the request.


def test_error_answers_carry_the_id_too(client, db):
    response = client.get("/no/such/page", HTTP_X_REQUEST_ID="req-404")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "req-404"


def json_lines(records: list[logging.LogRecord]) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in records]


def test_log_lines_of_a_request_name_it(client, db, caplog):
    caplog.handler.addFilter(requestid.RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/no/such/page", HTTP_X_REQUEST_ID="req-logged")
    (line,) = [line for line in json_lines(caplog.records) if line["logger"] == "django.request"]
    assert line["request_id"] == "req-logged"
    assert line["level"] == "WARNING"
    assert line["message"].startswith("Not Found: /no/such/page")
    assert line["status_code"] == 404
    assert "request" not in line


def test_json_lines_hold_the_traceback_and_extra_fields():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, "f.py", 1, "failed %s", ("once",), sys.exc_info(), extra={"n": 3}
        )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "failed once"
    assert "ValueError: boom" in line["exception"]
    assert line["n"] == 3
    assert line["time"].endswith("+00:00")


def test_a_job_enqueued_in_a_request_remembers_it(db, settings, rf):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    token = requestid.current.set("req-job")
    try:
        prune_task_results.enqueue()
    finally:
        requestid.current.reset(token)
    prune_task_results.enqueue()  # Outside a request (the clock): no id.
    rows = DBTaskResult.objects.order_by("enqueued_at")
    assert [row.args_kwargs for row in rows] == [
        {"args": [], "kwargs": {}, "request_id": "req-job"},
        {"args": [], "kwargs": {}},
    ]
    # The job itself still sees only its own arguments.
    assert rows[0].task_result.kwargs == {}


def _test_database_url() -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


@pytest.mark.django_db(transaction=True)
def test_the_worker_logs_a_job_under_the_id_of_the_request_that_enqueued_it(client, settings, bob):
    """End to end: a password-reset request enqueues its mail; a real `db_worker` process,
    logging JSON, runs the job and its log lines carry the request's id."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    response = client.post(
        "/password/reset/", {"email": bob.email}, HTTP_X_REQUEST_ID="req-reset-bob"
    )
    assert response.status_code == 302
    job = DBTaskResult.objects.get()
    assert job.args_kwargs["request_id"] == "req-reset-bob"

    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "WORKMATE_TESTING": "1",
        "LOG_FORMAT": "json",
        "EMAIL_URL": "console://",
    }
    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert worker.returncode == 0, worker.stderr
    job.refresh_from_db()
    assert job.status == "SUCCESSFUL", job.traceback
    lines = [json.loads(line) for line in worker.stderr.splitlines() if line.startswith("{")]
    mine = [line for line in lines if line["request_id"] == "req-reset-bob"]
    assert any("runs for request req-reset-bob" in line["message"] for line in mine), lines
    finished = [line for line in mine if str(job.pk) in line["message"]]
    assert any("SUCCESSFUL" in line["message"] for line in finished), lines
