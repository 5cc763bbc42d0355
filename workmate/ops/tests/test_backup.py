"""`manage.py backup` and `manage.py restore`: every table and every file, round-tripped.

The backup is made in this process from the test database while the data is committed
(`transaction=True`); the restore runs as its own `manage.py restore` process onto a new,
empty installation (another SQLite file, or another PostgreSQL database), which is then
compared with the original table by table, row by row, and file by file.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from workmate.inbox import clock
from workmate.ops.models import WorkerHeartbeat
from workmate.testing.factories import make_project, make_task
from workmate.work.models import Attachment
from workmate.work.tasks import run_asana_import

pytestmark = pytest.mark.django_db(transaction=True)
DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"


def table_rows(cursor, table: str) -> list[tuple]:
    cursor.execute(f'SELECT * FROM "{table}"')
    return sorted(cursor.fetchall(), key=repr)


def raw_rows(database, table: str) -> list[tuple]:
    """A table's rows as the database driver gives them (the same for both sides)."""
    if connection.vendor == "sqlite":
        db = sqlite3.connect(database)
        try:
            return table_rows(db.cursor(), table)
        finally:
            db.close()
    with psycopg.connect(**pg_params(database)) as db:
        return table_rows(db.cursor(), table)


def pg_params(database: str) -> dict:
    connection.ensure_connection()
    info = connection.connection.info
    return {"dbname": database, "host": info.host, "port": info.port, "user": info.user}


def media_files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
    }


class Installation:
    """A second, empty installation: its own database, media and var folders."""

    def __init__(self, tmp_path: Path):
        self.media = tmp_path / "other-media"
        self.var = tmp_path / "other-var"
        source = connection.settings_dict["NAME"]
        if connection.vendor == "sqlite":
            self.sqlite = tmp_path / "other.sqlite3"
            self.url = f"sqlite:///{self.sqlite}"
        else:
            self.dbname = f"{source}_restored"
            base = urlsplit(os.environ["DATABASE_URL"])
            self.url = base._replace(path=f"/{self.dbname}").geturl()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.dbname}"')
                cursor.execute(f'CREATE DATABASE "{self.dbname}"')

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "MEDIA_ROOT": str(self.media),
            "WORKMATE_VAR_DIR": str(self.var),
            "WORKMATE_TESTING": "1",
        }
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=django_settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )

    def rows(self, table: str) -> list[tuple]:
        return raw_rows(self.sqlite if connection.vendor == "sqlite" else self.dbname, table)

    def drop(self) -> None:
        if connection.vendor != "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.dbname}"')


@pytest.fixture
def other(tmp_path):
    installation = Installation(tmp_path)
    yield installation
    installation.drop()


@pytest.fixture
def lived_in(settings, client, alice, bob, team):
    """An installation with data in the tables people and the machinery fill."""
    settings.TASKS = {"default": {"BACKEND": DATABASE_BACKEND, "QUEUES": ["default"]}}
    settings.VAR_DIR = Path(settings.MEDIA_ROOT).parent / "var"
    settings.VAR_DIR.mkdir()
    (settings.VAR_DIR / "secret_key").write_text("the-installations-secret\n")
    project = make_project(name="Migration", team=team, owner=alice)
    task = make_task(project=project, title="Plan")
    Attachment.objects.create(
        task=task,
        file=ContentFile(b"%PDF-1.4 plan", name="plan.pdf"),
        name="plan.pdf",
        size=13,
        content_type="application/pdf",
        uploaded_by=alice,
    )
    Attachment.objects.create(
        task=task,
        file=ContentFile("회의록".encode(), name="회의록.txt"),
        name="회의록.txt",
        size=9,
        content_type="text/plain",
        uploaded_by=bob,
    )
    client.force_login(alice)  # A session.
    settings.AXES_ENABLED = True  # A throttled sign-in failure.
    Client().post(reverse("login"), {"username": bob.email, "password": "wrong"})
    run_asana_import.enqueue(12345)  # A job result.
    clock.tick()
    WorkerHeartbeat.objects.create(worker_id="w1", host="h", pid=1)
    return project


def test_backup_and_restore_round_trip_every_table_and_file(lived_in, settings, tmp_path, other):
    call_command("seed_demo", stdout=io.StringIO())  # Rows in most of the other tables.
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # SQLite's own sqlite_stat1 is not a table of ours.
    backup = tmp_path / "backup"
    out = io.StringIO()
    call_command("backup", str(backup), stdout=out)
    manifest = json.loads((backup / "manifest.json").read_text())

    with connection.cursor() as cursor:
        tables = [
            table
            for table in connection.introspection.table_names(cursor)
            if not table.startswith("sqlite_")  # SQLite's own statistics.
        ]
    name = connection.settings_dict["NAME"]
    originals = {table: raw_rows(name, table) for table in tables}
    assert set(manifest["tables"]) == set(tables)
    assert manifest["tables"] == {table: len(rows) for table, rows in originals.items()}
    for needed in (
        "django_session",
        "axes_accessattempt",
        "django_tasks_database_dbtaskresult",
        "inbox_clocktick",
        "ops_workerheartbeat",
        "work_attachment",
        "accounts_user",
    ):
        assert manifest["tables"][needed] > 0, needed
    source_files = media_files(Path(settings.MEDIA_ROOT))
    assert len(source_files) >= 2
    assert set(manifest["files"]) == set(source_files)
    assert f"to {backup}." in out.getvalue()

    done = other.manage("restore", str(backup), "--no-input")

    assert done.returncode == 0, done.stderr
    assert "they match the manifest" in done.stdout
    for table, rows in originals.items():
        assert other.rows(table) == rows, table
    assert media_files(other.media) == source_files
    assert (other.var / "secret_key").read_text() == "the-installations-secret\n"
    # ./run will not load the demo division on top of the restored data.
    assert (other.var / "demo-seeded").exists()


def test_restore_refuses_an_installation_with_data_unless_told(lived_in, tmp_path, other):
    backup = tmp_path / "backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    assert other.manage("restore", str(backup), "--no-input").returncode == 0
    users = other.rows("accounts_user")

    again = other.manage("restore", str(backup), "--no-input")
    assert again.returncode != 0
    assert "This installation is not empty" in again.stderr
    assert "--replace" in again.stderr

    other.media.joinpath("left-over.txt").write_text("not in the backup")
    replaced = other.manage("restore", str(backup), "--no-input", "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert other.rows("accounts_user") == users
    assert not other.media.joinpath("left-over.txt").exists()


def test_restore_onto_a_fresh_clone_whose_var_folder_does_not_exist_yet(lived_in, tmp_path, other):
    """README's recipe: restore into a clone before its first ./run (no var/ at all)."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's database is made by the operator, not under var/")
    backup = tmp_path / "backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    other.sqlite = other.var / "workmate.sqlite3"  # ./run's default: inside var/
    other.url = f"sqlite:///{other.sqlite}"
    assert not other.var.exists()

    done = other.manage("restore", str(backup), "--no-input")

    assert done.returncode == 0, done.stderr
    users = raw_rows(connection.settings_dict["NAME"], "accounts_user")
    assert other.rows("accounts_user") == users
    assert (other.var / "secret_key").read_text() == "the-installations-secret\n"


def test_a_damaged_backup_is_refused_before_anything_changes(lived_in, tmp_path, other):
    backup = tmp_path / "backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    damaged = next(path for path in (backup / "media").rglob("*") if path.is_file())
    damaged.write_bytes(b"bit rot")

    done = other.manage("restore", str(backup), "--no-input")

    assert done.returncode != 0
    assert "The backup is damaged" in done.stderr
    assert not other.media.exists()


def test_backup_refuses_an_existing_folder_and_leaves_no_partial_copy(lived_in, tmp_path):
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "something").write_text("mine")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(backup), stdout=io.StringIO())
    assert (backup / "something").read_text() == "mine"
    assert not (tmp_path / "backup.partial").exists()


def test_backup_is_consistent_while_a_writer_is_in_the_middle_of_a_change(lived_in, tmp_path):
    # A change not yet committed by another process is neither waited for nor copied.
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        writer = sqlite3.connect(settings["NAME"], isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
    else:
        writer = psycopg.connect(**pg_params(settings["NAME"]))
    writer.execute(
        "INSERT INTO ops_workerheartbeat (worker_id, host, pid, started_at, last_seen) "
        "VALUES ('uncommitted', 'h', 2, '2026-01-01', '2026-01-01')"
    )
    try:
        call_command("backup", str(tmp_path / "backup"), stdout=io.StringIO())
    finally:
        writer.rollback() if connection.vendor != "sqlite" else writer.execute("ROLLBACK")
        writer.close()

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["tables"]["ops_workerheartbeat"] == 1
    assert DBTaskResult.objects.count() == manifest["tables"]["django_tasks_database_dbtaskresult"]


def test_restore_asks_first_and_a_no_changes_nothing(lived_in, tmp_path, monkeypatch):
    backup = tmp_path / "backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    questions = []
    monkeypatch.setattr("builtins.input", lambda prompt: questions.append(prompt) or "no")

    with pytest.raises(CommandError, match="Restore cancelled"):
        call_command("restore", str(backup), "--replace", stdout=io.StringIO())

    assert "Type 'yes' to go on" in questions[0]
    assert "(replacing what is there)" in questions[0]
    assert WorkerHeartbeat.objects.filter(worker_id="w1").exists()
