from __future__ import annotations

import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A block whose changes are indexed as after a real commit (the receivers'
    on_commit callbacks run at its end)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
