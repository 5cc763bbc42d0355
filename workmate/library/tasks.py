"""Background work for the library; each task is safe to run twice."""

from __future__ import annotations

from django_tasks import task


@task()
def expire_reviews() -> int:
    """Turn verified pages past their review date to *needs review*; tell their owners."""
    from workmate.library.services import expire_reviews as expire

    return expire()
