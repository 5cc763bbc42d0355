"""Finished job results are pruned once a day after TASK_RESULTS_KEEP_DAYS; others stay."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from workmate.inbox import clock
from workmate.ops import jobs
from workmate.ops.tasks import prune_task_results

NOW = datetime.datetime(2026, 9, 21, 3, 30, 5, tzinfo=datetime.UTC)
PRUNE = "workmate.ops.tasks.prune_task_results"


@pytest.fixture
def db_tasks(db, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.TASK_RESULTS_KEEP_DAYS = 14


def result(status: str, days_ago: float) -> str:
    """A job result in `status`, enqueued (and, if finished, finished) `days_ago` days ago."""
    when = NOW - datetime.timedelta(days=days_ago)
    with time_machine.travel(when, tick=False):
        job = prune_task_results.enqueue()
    finished = status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
    DBTaskResult.objects.filter(pk=job.id).update(
        status=status,
        started_at=None if status == TaskResultStatus.READY else when,
        finished_at=when if finished else None,
    )
    return job.id


def test_old_finished_results_go_and_recent_or_unfinished_stay(db_tasks):
    old_ok = result(TaskResultStatus.SUCCESSFUL, 15)
    old_failed = result(TaskResultStatus.FAILED, 30)
    recent_ok = result(TaskResultStatus.SUCCESSFUL, 13)
    recent_failed = result(TaskResultStatus.FAILED, 1)
    old_ready = result(TaskResultStatus.READY, 40)
    old_running = result(TaskResultStatus.RUNNING, 40)

    with time_machine.travel(NOW, tick=False):
        assert jobs.prune_finished_results() == 2
        assert jobs.prune_finished_results() == 0  # twice is harmless

    left = set(DBTaskResult.objects.values_list("id", flat=True))
    assert {str(pk) for pk in left} == {recent_ok, recent_failed, old_ready, old_running}
    assert str(old_ok) not in left and str(old_failed) not in left


def test_keep_days_comes_from_the_setting(db_tasks, settings):
    settings.TASK_RESULTS_KEEP_DAYS = 30
    kept = result(TaskResultStatus.SUCCESSFUL, 29)
    gone = result(TaskResultStatus.FAILED, 31)

    assert jobs.prune_finished_results(NOW) == 1
    left = {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}
    assert kept in left and gone not in left


def test_the_clock_queues_the_pruning_once_a_day(db_tasks):
    assert PRUNE in clock.DAILY_TASKS
    before = NOW.replace(hour=3, minute=29)
    assert PRUNE not in clock.tick(before)
    assert PRUNE in clock.tick(NOW)
    DBTaskResult.objects.all().delete()  # the worker ran everything
    assert PRUNE not in clock.tick(NOW + datetime.timedelta(minutes=1))
    assert PRUNE not in clock.tick(NOW + datetime.timedelta(hours=20))
    # The next day it is queued again, even when the clock was down at DAILY_AT.
    assert PRUNE in clock.tick(NOW + datetime.timedelta(days=1, hours=2))


def test_the_daily_task_prunes_through_the_worker(db_tasks, settings):
    gone = result(TaskResultStatus.SUCCESSFUL, 20)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with time_machine.travel(NOW, tick=False):
        assert prune_task_results.enqueue().return_value == 1
    assert not DBTaskResult.objects.filter(pk=gone).exists()
