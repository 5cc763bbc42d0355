"""Background work for projects and tasks; each task takes ids and is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from workmate.ops.jobs import when_worker_dies
from workmate.work import transfer


@task()
def run_asana_import(job_id: int) -> str | None:
    """Run a web upload's Asana import; a finished job, or one still moving, is skipped."""
    job = transfer.run_import_job(job_id)
    return job.status if job is not None else None


# A worker that dies mid-import leaves nothing half-written (the rows are written in one
# transaction): the job goes back to "queued" and runs again, or says it failed.
when_worker_dies(run_asana_import, on_lost=transfer.release_import_job)


@task()
def remind_status_updates() -> int:
    """Remind project owners whose written status update is due (while they are at work)."""
    from django.utils import timezone

    from workmate.work import status

    return status.remind_status_updates(timezone.now())
