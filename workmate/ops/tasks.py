"""Background work for operations; each task is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from workmate.ops import jobs


@task()
def prune_task_results() -> int:
    """Daily (the clock): delete finished job results older than TASK_RESULTS_KEEP_DAYS."""
    return jobs.prune_finished_results()
