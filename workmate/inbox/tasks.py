"""Background work for the inbox; each task takes ids and is safe to run twice."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from workmate.inbox import delivery, digests


@task()
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification now if the recipient is at work (or it is urgent).

    Outside working hours or in quiet hours it is left for the recipient's next digest.
    """
    return delivery.send_notification_email(notification_id)


@task()
def remind_reply_by() -> int:
    """Raise the "reply-by approaching" and "reply-by passed" reminders that are due."""
    return delivery.remind_reply_by(timezone.now())


@task()
def send_digests() -> int:
    """Send the daily digests that are due now; returns how many mails went out."""
    return digests.send_due_digests(timezone.now())
