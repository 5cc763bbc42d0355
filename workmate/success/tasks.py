"""Background work for customer success; each task takes ids (or nothing), safe to run twice."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def send_answer_email(item_id: int) -> bool:
    """Mail the contact the answer to their feedback."""
    from workmate.success import services

    return services.send_answer_mail(item_id)


@task()
def remind_customers() -> dict[str, int]:
    """Periodic: renewals approaching, customers not met for long, feedback unanswered."""
    from workmate.success import reminders

    return reminders.remind(timezone.now())
