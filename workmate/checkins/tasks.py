"""Background work for check-ins; each task is safe to run twice."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def open_due_checkins() -> int:
    """Open the check-ins that are due now for each member, in their own time zone."""
    from workmate.checkins.services import open_due_checkins as open_due

    return open_due(timezone.now())
