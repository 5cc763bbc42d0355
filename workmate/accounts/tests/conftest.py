"""Fixtures for the accounts tests (the cast lives in the project's conftest.py)."""

from __future__ import annotations

import pytest
from django_tasks.signals import task_finished


@pytest.fixture
def finished_tasks():
    """Every task result the immediate backend finishes during the test, in order."""
    results = []

    def record(sender, task_result, **kwargs):
        results.append(task_result)

    task_finished.connect(record, dispatch_uid="accounts-tests-finished-tasks")
    yield results
    task_finished.disconnect(dispatch_uid="accounts-tests-finished-tasks")
