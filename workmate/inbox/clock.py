"""The clock: once a minute, hand the periodic tasks to the worker.

Reminders, digests and check-ins are due at moments, not in answer to a request. The
`clock` command calls `tick()` every minute; the tasks themselves run in the worker and
are idempotent, so a tick that is repeated or late does no harm. Several clock processes
may run at once (one beside each worker): the unique `ClockTick.minute` lets only one of
them enqueue a given minute's work, and a task still waiting in the queue from an earlier
minute is not queued again, so a stopped worker does not come back to a pile of ticks.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from workmate.inbox.models import ClockTick
from workmate.ops.jobs import when_worker_dies

# Dotted paths of the tasks to run every minute (each app adds its own).
PERIODIC_TASKS = [
    "workmate.inbox.tasks.remind_reply_by",
    "workmate.inbox.tasks.send_digests",
    "workmate.checkins.tasks.open_due_checkins",
    "workmate.desk.tasks.escalate_tickets",
    "workmate.desk.tasks.close_solved_tickets",
    "workmate.desk.tasks.fetch_mail",
    "workmate.desk.tasks.roll_up_desk_stats",
    "workmate.desk.tasks.compact_desk_active_counts",
    "workmate.desk.tasks.compact_desk_sla_counts",
    "workmate.work.tasks.remind_status_updates",
    "workmate.pipeline.tasks.remind_time_boxes",
    "workmate.reviews.tasks.remind_review_steps",
    "workmate.reviews.tasks.share_due_results",
    "workmate.search.tasks.sweep_search_index",
    "workmate.automation.tasks.sweep_automation",
    "workmate.webhooks.tasks.sweep_deliveries",
    "workmate.success.tasks.remind_customers",
]
# A periodic task whose worker died is marked failed, not run again: the next minute's
# tick queues it anyway (workmate/ops/jobs.py).
# Dotted paths of the tasks to run once a day, on the first tick at or after DAILY_AT (UTC),
# so a clock that was down at that minute still runs them later the same day.
DAILY_TASKS = [
    "workmate.ops.tasks.prune_task_results",
    "workmate.library.tasks.expire_reviews",
]
DAILY_AT = datetime.time(3, 30)
for _path in PERIODIC_TASKS + DAILY_TASKS:
    when_worker_dies(_path, rerun=False)


def _waiting(task_path: str) -> bool:
    from django.conf import settings

    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().filter(task_path=task_path).exists()


def _first_daily_tick(minute: datetime.datetime) -> bool:
    """Whether this minute is the day's first tick at or after DAILY_AT (UTC)."""
    minute = minute.astimezone(datetime.UTC)
    if minute.time() < DAILY_AT:
        return False
    start = datetime.datetime.combine(minute.date(), DAILY_AT, tzinfo=datetime.UTC)
    return not ClockTick.objects.filter(minute__gte=start, minute__lt=minute).exists()


def tick(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue this minute's periodic tasks (and the day's, once); returns the paths enqueued."""
    minute = (now or timezone.now()).replace(second=0, microsecond=0)
    try:
        with transaction.atomic():
            ClockTick.objects.create(minute=minute)
    except IntegrityError:
        return []  # Another clock already did this minute.
    ClockTick.objects.filter(minute__lt=minute - datetime.timedelta(days=1)).delete()
    paths = PERIODIC_TASKS + (DAILY_TASKS if _first_daily_tick(minute) else [])
    enqueued = []
    for path in paths:
        if _waiting(path):
            continue
        import_string(path).enqueue()
        enqueued.append(path)
    return enqueued
