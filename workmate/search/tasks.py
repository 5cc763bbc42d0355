"""The sweeper: re-index what changed since the last sweep, so an object whose change
committed but whose after-commit indexing never ran (a crash, a kill) is found within a
minute. Run by the clock (workmate/inbox/clock.py)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from workmate.search import indexing
from workmate.search.models import SweepState

# Look back a little past the last sweep: a transaction that started before it may have
# committed a time stamp older than the sweep after it ran.
OVERLAP = datetime.timedelta(minutes=5)


def sweep(now: datetime.datetime | None = None) -> int:
    """Re-index objects changed since the last sweep (minus OVERLAP); returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        state = SweepState.objects.select_for_update().first()
        if state is None:
            # The first sweep: the receivers and rebuild_search did the past.
            SweepState.objects.create(swept_until=now)
            return 0
        since = state.swept_until - OVERLAP
        state.swept_until = now
        state.save(update_fields=["swept_until"])
    count = 0
    for kind, ids in indexing.changed_since(since, now).items():
        ids_list = sorted(ids)
        for start in range(0, len(ids_list), 1000):
            count += indexing.refresh(kind, ids_list[start : start + 1000])
    return count


@task()
def sweep_search_index() -> int:
    return sweep()
