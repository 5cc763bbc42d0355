"""Background work for the pipeline; each task takes ids (or nothing) and is safe to run twice."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def remind_time_boxes() -> int:
    """Remind PoC owners whose time box ends soon or is over (in their working time)."""
    from workmate.pipeline import services

    return services.remind_time_boxes(timezone.now())
