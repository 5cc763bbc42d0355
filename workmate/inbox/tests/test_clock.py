"""The clock: each minute's periodic tasks are queued once, however many clocks tick."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db import OperationalError, connection, connections
from django_tasks_db.models import DBTaskResult

from workmate.inbox import clock
from workmate.inbox.models import ClockTick

MONDAY_NINE = datetime.datetime(2026, 9, 21, 0, 0, 12, tzinfo=datetime.UTC)


@pytest.fixture
def queue(db, settings):
    """The database queue, so that enqueued tasks wait as rows instead of running."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def queued() -> list[str]:
    return sorted(DBTaskResult.objects.values_list("task_path", flat=True))


def test_digests_are_on_the_clock():
    assert "workmate.inbox.tasks.send_digests" in clock.PERIODIC_TASKS
    assert "workmate.inbox.tasks.remind_reply_by" in clock.PERIODIC_TASKS


def test_a_minute_is_queued_once_even_when_the_clock_ticks_twice(queue):
    first = clock.tick(MONDAY_NINE)
    second = clock.tick(MONDAY_NINE + datetime.timedelta(seconds=30))

    assert sorted(first) == sorted(clock.PERIODIC_TASKS)
    assert second == []
    assert queued() == sorted(clock.PERIODIC_TASKS)
    assert ClockTick.objects.get().minute == MONDAY_NINE.replace(second=0)


def test_a_task_still_waiting_is_not_queued_again(queue):
    clock.tick(MONDAY_NINE)
    assert clock.tick(MONDAY_NINE + datetime.timedelta(minutes=1)) == []
    assert len(queued()) == len(clock.PERIODIC_TASKS)

    DBTaskResult.objects.all().delete()  # the worker ran them
    again = clock.tick(MONDAY_NINE + datetime.timedelta(minutes=2))
    assert sorted(again) == sorted(clock.PERIODIC_TASKS)


def test_old_ticks_are_forgotten(queue):
    clock.tick(MONDAY_NINE - datetime.timedelta(days=2))
    DBTaskResult.objects.all().delete()
    clock.tick(MONDAY_NINE)
    assert list(ClockTick.objects.values_list("minute", flat=True)) == [
        MONDAY_NINE.replace(second=0)
    ]


def test_the_clock_command_ticks_once(queue):
    out = io.StringIO()
    with time_machine.travel(MONDAY_NINE, tick=False):
        call_command("clock", "--once", stdout=out)
        call_command("clock", "--once", stdout=out)

    first, second = out.getvalue().splitlines()
    assert first == f"00:00 enqueued {len(clock.PERIODIC_TASKS)} task(s)"
    assert second == "00:00 enqueued 0 task(s)"
    assert queued() == sorted(clock.PERIODIC_TASKS)


@pytest.mark.django_db(transaction=True)
def test_the_clock_reconnects_after_its_connection_was_cut(settings):
    # PostgreSQL restarted between two ticks: the clock's kept connection is dead; the next
    # tick opens a new one instead of failing on the old one.
    if connection.vendor != "postgresql":
        pytest.skip("a server-side disconnect needs PostgreSQL")
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    out = io.StringIO()
    with time_machine.travel(MONDAY_NINE, tick=False):
        call_command("clock", "--once", stdout=out)
    DBTaskResult.objects.all().delete()  # the worker ran them
    with connections["default"].cursor() as cursor, pytest.raises(OperationalError):
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    with time_machine.travel(MONDAY_NINE + datetime.timedelta(minutes=5), tick=False):
        call_command("clock", "--once", stdout=out)

    assert out.getvalue().splitlines()[-1] == f"00:05 enqueued {len(clock.PERIODIC_TASKS)} task(s)"
