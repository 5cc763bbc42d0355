"""Background work of the advisor; each task takes ids and is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from workmate.advisor import services
from workmate.ops.jobs import when_worker_dies


@task()
def read_import(run_id: int) -> str | None:
    """Read an uploaded inventory into its preview and refusals."""
    run = services.run_read(run_id)
    return run.status if run else None


@task()
def apply_import(run_id: int) -> str | None:
    """Apply a confirmed import (one transaction), then compute the assessment."""
    run = services.run_apply(run_id)
    return run.status if run else None


@task()
def recompute_assessment(assessment_id: int) -> int | None:
    """Recompute every workload (what-if settings changed, a bulk edit)."""
    return services.run_compute(assessment_id)


when_worker_dies(apply_import, on_lost=services.release_run)
