"""The benchmark seeder (bench/README.md), run small so the suite notices when it breaks."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from workmate.accounts.models import User, WorkProfile
from workmate.work.management.commands.bench_seed import BUSY_EMAIL
from workmate.work.models import Project, Section, Task, TaskStatus, WorkRequest


@pytest.fixture
def bench_database(db, monkeypatch):
    # The seeder only fills a database (SQLite file or PostgreSQL) whose name says "bench".
    monkeypatch.setitem(connection.settings_dict, "NAME", "/tmp/bench-test.sqlite3")


def test_refuses_a_database_not_named_bench(db):
    with pytest.raises(CommandError, match="Refusing"):
        call_command("bench_seed", "--tasks", "100", "--projects", "10", "--people", "30")
    assert not User.objects.exists()


def test_seeds_people_projects_and_tasks(bench_database):
    call_command("bench_seed", "--tasks", "2000", "--projects", "20", "--people", "30")

    assert User.objects.count() == 30
    assert WorkProfile.objects.count() == 30
    assert Project.objects.count() == 20
    assert Section.objects.count() >= 60
    assert Task.objects.count() == 2000
    assert Task.objects.filter(parent__isnull=False).exists()
    done = Task.objects.done().count()
    assert 200 < done < 600
    assert not Task.objects.filter(status=TaskStatus.DONE, completed_at=None).exists()
    assert WorkRequest.objects.exists()
    busy = User.objects.get(email=BUSY_EMAIL)
    assert busy.check_password("bench-password-2026")
    assert Task.objects.visible_to(busy).assigned_to(busy).open().count() > 50


def test_open_share_sets_how_many_tasks_are_not_done(bench_database):
    call_command(
        "bench_seed", "--tasks", "2000", "--projects", "20", "--people", "30", "--open-share", "0.1"
    )

    not_done = Task.objects.open().count()
    assert 120 < not_done < 280
    assert Task.objects.filter(status=TaskStatus.IN_PROGRESS).exists()
    assert Task.objects.filter(status=TaskStatus.WAITING).exists()
    busy = User.objects.get(email=BUSY_EMAIL)
    # The busy person keeps a backlog of open tasks however much history there is.
    assert Task.objects.visible_to(busy).assigned_to(busy).open().count() > 10


def test_open_share_must_be_a_share(bench_database):
    with pytest.raises(CommandError, match="open-share"):
        call_command("bench_seed", "--tasks", "200", "--projects", "10", "--open-share", "0")
    assert not Task.objects.exists()


def test_the_application_can_add_rows_after_seeding(bench_database, alice):
    """The seeder chooses task ids itself; on PostgreSQL the id sequence must move past them."""
    call_command("bench_seed", "--tasks", "200", "--projects", "10", "--people", "30")
    project = Project.objects.first()

    task = Task.objects.create(project=project, title="After the seed", created_by=alice)

    assert task.pk > Task.objects.exclude(pk=task.pk).order_by("-pk").first().pk


def test_refuses_to_seed_twice(bench_database):
    call_command("bench_seed", "--tasks", "200", "--projects", "10", "--people", "30")
    with pytest.raises(CommandError, match="already holds tasks"):
        call_command("bench_seed", "--tasks", "200", "--projects", "10", "--people", "30")
    assert Task.objects.count() == 200
