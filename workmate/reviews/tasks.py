"""Background work for review cycles; each task is safe to run twice."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def remind_review_steps() -> int:
    """Remind each step that is due soon or late, inside each recipient's working time."""
    from workmate.reviews.reminders import remind_review_steps as remind

    return remind(timezone.now())


@task()
def share_due_results() -> int:
    """Apply and announce the results of closed cycles whose share date has come."""
    from workmate.reviews.reminders import share_due_results as share

    return share(timezone.now())
