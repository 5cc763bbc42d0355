"""Two processes re-indexing one object at the same moment (bench/scale.sh found it)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from workmate.search import indexing
from workmate.search.models import Entry
from workmate.testing.factories import make_task


def wait_for_a_blocked_lock(seconds: float = 20) -> None:
    """Until another connection waits for a lock this transaction holds."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second refresh never waited")


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_of_one_task_at_once_leave_one_entry():
    # Two comments on one task committed at once by two web processes: each request's
    # on_commit re-indexes the task. The second used to hit the unique (kind, object_id)
    # with the row the first had not committed yet, and its request answered 500 though
    # the comment was saved.
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    task = make_task(title="Backup window moved")
    errors: list[Exception] = []

    def second_process() -> None:
        try:
            indexing.refresh("task", [task.pk])
        except Exception as error:
            errors.append(error)
        finally:
            connections["default"].close()

    other = threading.Thread(target=second_process)
    with transaction.atomic():
        indexing.refresh("task", [task.pk])  # written, not yet committed
        other.start()
        wait_for_a_blocked_lock()
    other.join(timeout=30)

    assert errors == []
    assert Entry.objects.filter(kind="task", object_id=task.pk).count() == 1
