"""Small helpers shared by the inbox tests."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from workmate.accounts.models import User
from workmate.inbox.models import Kind, Notification
from workmate.work.models import Task


def tell(
    person: User,
    task: Task,
    kind: str = Kind.COMMENT,
    actor: User | None = None,
    minutes_ago: int = 0,
    **fields: Any,
) -> Notification:
    """One notification about `task` for `person`, `minutes_ago` before now (the frozen NOW)."""
    fields = {
        "channel": "digest",
        "group_key": f"task:{task.pk}",
        "title": task.title,
        "url": task.get_absolute_url(),
        "created_at": timezone.now() - datetime.timedelta(minutes=minutes_ago),
        **fields,
    }
    return Notification.objects.create(
        recipient=person, kind=kind, actor=actor, task=task, **fields
    )
