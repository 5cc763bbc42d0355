"""The benchmark seeder (bench/README.md), run small so the suite notices when it breaks."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from workmate.accounts.models import User, WorkProfile
from workmate.testing.factories import make_task
from workmate.work.management.commands.bench_seed import BUSY_EMAIL
from workmate.work.models import Project, Section, Task, TaskStatus, WorkRequest


@pytest.fixture
def bench_database(db, monkeypatch):
    # The seeder only fills a database whose name says "bench" (SQLite or PostgreSQL).
    monkeypatch.setitem(connection.settings_dict, "NAME", "/tmp/bench-test.sqlite3")


def test_refuses_a_database_not_named_bench(db, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "/tmp/workmate.sqlite3")
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
        "bench_seed", "--tasks", "1000", "--projects", "10", "--people", "30", "--open-share", "0.3"
    )
    assert 620 < Task.objects.done().count() < 780


def test_refuses_a_share_outside_zero_to_one(bench_database):
    with pytest.raises(CommandError, match="--open-share"):
        call_command("bench_seed", "--tasks", "100", "--open-share", "1.5")
    assert not Task.objects.exists()


def test_refuses_to_seed_twice(bench_database):
    call_command("bench_seed", "--tasks", "200", "--projects", "10", "--people", "30")
    with pytest.raises(CommandError, match="already holds tasks"):
        call_command("bench_seed", "--tasks", "200", "--projects", "10", "--people", "30")
    assert Task.objects.count() == 200


def test_the_app_makes_tasks_after_seeding(bench_database):
    # The seeder gives tasks their ids itself; on PostgreSQL the sequences must then be
    # moved past them, or the app's next task collides with a seeded one.
    call_command("bench_seed", "--tasks", "200", "--projects", "10", "--people", "30")
    seeded = Task.objects.order_by("-pk").values_list("pk", flat=True).first()

    task = make_task(project=Project.objects.first())

    assert task.pk > seeded
    assert Task.objects.count() == 201
