"""Faults an operator meets: a malformed setting stops the process at start in one line
naming the variable; a database that cannot be reached gets 503 + Retry-After, not 500.

Each case runs a real process (manage.py, or Django's handler in `python -c`) with the
environment under test; nothing here needs the test database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from workmate.ops.storage import storage_from_url

TIMEOUT = 60


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "STORAGE_URL"}}
    environment.update({"WORKMATE_TESTING": "1", **env})
    return subprocess.run(
        args,
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": "postgress://db/workmate"}, "DATABASE_URL"),
        ({"STORAGE_URL": "s3:///no-bucket"}, "STORAGE_URL"),
        ({"LOG_FORMAT": "yaml"}, "LOG_FORMAT"),
    ],
)
def test_a_malformed_setting_stops_manage_py_in_one_line(env, named):
    done = run([sys.executable, "manage.py", "check"], **env)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"Workmate cannot start: {named} ")


def test_the_web_entry_point_stops_gunicorn_in_one_line():
    # Exit 4 is gunicorn's "App failed to load": the master halts instead of respawning.
    done = run([sys.executable, "-c", "import workmate.wsgi"], STORAGE_URL="ftp://files/x")
    assert done.returncode == 4
    assert done.stderr.strip().splitlines() == [
        "Workmate cannot start: STORAGE_URL must be s3://bucket/prefix?endpoint_url=… "
        "(or unset for the local disk), not 'ftp://files/x'."
    ]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("s3://key:secret@bucket", "must not hold credentials"),
        ("s3://bucket?endpoint=http://x", "unknown options endpoint"),
        ("s3://bucket?endpoint_url=minio:9000", r"endpoint_url must be an http\(s\)://"),
        ("s3://bucket?addressing_style=sideways", "addressing_style must be"),
    ],
)
def test_storage_url_mistakes_are_named(url, message):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=message):
        storage_from_url(url)


def test_storage_url_becomes_a_private_s3_storage_that_never_overwrites():
    entry = storage_from_url(
        "s3://files/workmate/prod?endpoint_url=https://kr.object.example&region_name=kr-1"
    )
    assert entry["BACKEND"] == "storages.backends.s3.S3Storage"
    options = entry["OPTIONS"]
    assert (options["bucket_name"], options["location"]) == ("files", "workmate/prod")
    assert options["endpoint_url"] == "https://kr.object.example"
    assert options["region_name"] == "kr-1"
    assert options["file_overwrite"] is False
    assert options["default_acl"] is None
    assert storage_from_url("") == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


# Requests through Django's own handler, as gunicorn would send them, with the database
# unreachable from the start (one process, several addresses), from a signed-in browser
# (its session is looked up) and an API client (its token is looked up).
PROBE = """
import json, django
django.setup()
from django.test import Client
person = Client(raise_request_exception=False, HTTP_AUTHORIZATION="Bearer wm_" + "x" * 40)
person.cookies["sessionid"] = "s" * 32
probe = Client(raise_request_exception=False)  # A load balancer sends no cookie.
answers = {}
for path in ["/", "/work/", "/api/v1/tasks", "/readyz", "/healthz"]:
    client = probe if path.endswith("z") else person
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="ko")
    answers[path] = [response.status_code, response.get("Retry-After"),
                     response.get("Content-Type"), response.content.decode()[:4000]]
print(json.dumps(answers))
"""


def probe(database_url: str) -> dict[str, list]:
    done = run(
        [sys.executable, "-c", PROBE],
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="workmate.settings",
        ALLOWED_HOSTS="testserver",
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_503_everywhere_but_healthz(answers: dict[str, list]) -> None:
    for path in ["/", "/work/", "/api/v1/tasks", "/readyz"]:
        status, retry_after, _, _ = answers[path]
        assert (path, status) == (path, 503)
        assert retry_after and int(retry_after) > 0
    status, _, content_type, body = answers["/api/v1/tasks"]
    assert content_type == "application/json"
    assert json.loads(body)["detail"]
    assert "503" in answers["/work/"][3]
    assert "잠시 후 다시 이용해 주세요" in answers["/work/"][3]  # In the reader's language.
    assert json.loads(answers["/readyz"][3])["checks"]["database"]["ok"] is False
    assert answers["/healthz"][0] == 200


def test_sqlite_unreadable_database_answers_503_with_retry_after(tmp_path):
    missing = tmp_path / "no-such-folder" / "workmate.sqlite3"
    assert_503_everywhere_but_healthz(probe(f"sqlite:///{missing}"))


def test_postgresql_closed_socket_answers_503_with_retry_after(tmp_path):
    # A socket folder where no server listens: the connection is refused at once.
    answers = probe(f"postgres://workmate@/workmate?host={tmp_path}&connect_timeout=2")
    assert_503_everywhere_but_healthz(answers)
