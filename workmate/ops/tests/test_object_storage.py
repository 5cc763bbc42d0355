"""Uploaded files in an S3-compatible object store (STORAGE_URL), against a real one: moto's
server, started once for this module on loopback.

Downloads are streamed through the app after its permission check, so an outsider gets
404 whatever store holds the file, and a file uploaded through one web process is
downloaded through another that shares nothing with it but the store (and the database).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.urls import reverse

from workmate.ops.storage import storage_from_url
from workmate.testing.factories import make_project
from workmate.work import services, transfer
from workmate.work.models import Attachment, ImportStatus

BUCKET = "workmate-files"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "moto-test-key",
    "AWS_SECRET_ACCESS_KEY": "moto-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """A real S3-compatible server on loopback, with one bucket, for the whole module."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    endpoint = f"http://127.0.0.1:{port}"
    saved = {name: os.environ.get(name) for name in CREDENTIALS}
    os.environ.update(CREDENTIALS)
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto did not start:\n{server.stderr.read()}")
                time.sleep(0.1)
        _client(endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=TIMEOUT)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _client(endpoint: str):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


@pytest.fixture
def storage_url(s3_endpoint) -> str:
    # Each test in its own prefix of the bucket, so their objects never meet.
    prefix = f"t-{uuid.uuid4().hex[:8]}"
    return f"s3://{BUCKET}/{prefix}?endpoint_url={s3_endpoint}&region_name=us-east-1&addressing_style=path"


@pytest.fixture
def object_store(settings, storage_url, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": storage_from_url(storage_url)}
    settings.MEDIA_ROOT = tmp_path / "media"
    return urlsplit(storage_url).path.strip("/")


def objects(s3_endpoint: str, prefix: str) -> dict[str, bytes]:
    client = _client(s3_endpoint)
    listing = client.list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/").get("Contents", [])
    return {
        item["Key"]: client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        for item in listing
    }


def local_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_every_uploaded_file_goes_through_the_configured_storage():
    """No FileField keeps its own storage (a FileSystemStorage would stay on one host)."""
    fields = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.fields
        if isinstance(field, models.FileField)
        if field.storage is not default_storage
    ]
    assert fields == []
    every = [
        f for m in apps.get_models() for f in m._meta.fields if isinstance(f, models.FileField)
    ]
    assert len(every) >= 6  # Task, ticket, voice, library attachments; two kinds of import.


@pytest.fixture
def task(team, alice, bob):
    project = make_project(name="Migration", team=team, owner=alice)
    return services.do_create_task(alice, project, title="Check backups")


def test_an_attachment_is_stored_in_the_bucket_and_served_only_to_who_may_see_it(
    client, object_store, s3_endpoint, settings, task, bob, charlie
):
    client.force_login(bob)
    response = client.post(
        reverse("work:add_attachment", args=[task.pk]),
        {"file": SimpleUploadedFile("shot.png", PNG, content_type="image/png")},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(task=task)
    stored = objects(s3_endpoint, object_store)
    assert stored == {f"{object_store}/{attachment.file.name}": PNG}
    assert local_files(settings.MEDIA_ROOT) == []

    url = reverse("work:attachment", args=[attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    # Streamed, never a redirect to the bucket: no address of the store leaves the app.
    assert s3_endpoint not in str(response.headers)

    client.force_login(charlie)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # To the log-in page.


def test_removing_an_attachment_deletes_its_object(
    client, object_store, s3_endpoint, task, bob, django_capture_on_commit_callbacks
):
    attachment = services.do_add_attachment(
        bob, task, SimpleUploadedFile("a.png", PNG, content_type="image/png")
    )
    services.do_add_attachment(
        bob, task, SimpleUploadedFile("a.png", PNG, content_type="image/png")
    )
    # Same name twice: two objects, as on the local disk (nothing is overwritten).
    assert len(objects(s3_endpoint, object_store)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.do_remove_attachment(bob, attachment)
    assert f"{object_store}/{attachment.file.name}" not in objects(s3_endpoint, object_store)
    assert len(objects(s3_endpoint, object_store)) == 1


def test_an_import_file_is_read_back_from_the_bucket_by_the_job(
    object_store, s3_endpoint, task, alice, django_capture_on_commit_callbacks
):
    export = b"Task ID,Name,Section/Column,Notes\n1,Rack the servers,Doing,\n2,Cable them,Doing,\n"
    with django_capture_on_commit_callbacks(execute=True):
        job = transfer.do_start_import(
            alice, task.project, SimpleUploadedFile("asana.csv", export, "text/csv")
        )
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.report
    assert task.project.tasks.filter(title__in=["Rack the servers", "Cable them"]).count() == 2
    assert list(objects(s3_endpoint, object_store).values()) == [export]


# --- Two web processes that share only the store (and the database) ---------------------

UPLOAD = """
import sys, django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from workmate.accounts.models import User
from workmate.work.models import Attachment
client = Client()
client.force_login(User.objects.get(email=sys.argv[1]))
with open(sys.argv[3], "rb") as handle:
    upload = SimpleUploadedFile("scan.png", handle.read(), content_type="image/png")
response = client.post(f"/work/tasks/{sys.argv[2]}/attachments/", {"file": upload})
assert response.status_code == 302, response.status_code
print(Attachment.objects.filter(task_id=sys.argv[2]).latest("pk").pk)
"""

DOWNLOAD = """
import hashlib, json, sys, django
django.setup()
from django.test import Client
from workmate.accounts.models import User
answers = {}
for email in sys.argv[2:]:
    client = Client()
    client.force_login(User.objects.get(email=email))
    response = client.get(f"/work/attachments/{sys.argv[1]}/")
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    answers[email] = [response.status_code, hashlib.sha256(body).hexdigest()]
print(json.dumps(answers))
"""


def _test_database_url() -> str:
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()


def _web_process(script: str, media_root: Path, storage_url: str, *args: str) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "workmate.settings",
        "WORKMATE_TESTING": "1",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": _test_database_url(),
        "STORAGE_URL": storage_url,
        "MEDIA_ROOT": str(media_root),
        **CREDENTIALS,
    }
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.django_db(transaction=True)
def test_a_file_uploaded_through_one_web_process_downloads_through_another(
    storage_url, s3_endpoint, tmp_path, task, bob, alice, charlie
):
    content = PNG + os.urandom(300_000)
    source = tmp_path / "scan.png"
    source.write_bytes(content)
    first, second = tmp_path / "host-a", tmp_path / "host-b"

    pk = _web_process(UPLOAD, first, storage_url, bob.email, str(task.pk), str(source))
    answers = json.loads(
        _web_process(DOWNLOAD, second, storage_url, pk, alice.email, charlie.email)
    )

    digest = hashlib.sha256(content).hexdigest()
    assert answers[alice.email] == [200, digest]
    assert answers[charlie.email][0] == 404
    # Neither host kept the file on its own disk: it is in the bucket only.
    assert local_files(first) == local_files(second) == []
    prefix = urlsplit(storage_url).path.strip("/")
    assert list(objects(s3_endpoint, prefix).values()) == [content]


def test_the_backup_says_the_files_are_in_the_bucket(db, settings, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    settings.STORAGE_URL = f"s3://{BUCKET}/prod"
    out, err = StringIO(), StringIO()
    call_command("backup", str(tmp_path / "backup"), stdout=out, stderr=err)
    assert out.getvalue().startswith("Backed up ")
    assert "not in this backup" in err.getvalue()
