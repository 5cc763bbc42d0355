from __future__ import annotations

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection, connections
from django.utils import timezone

from workmate.inbox import clock
from workmate.ops import jobs

logger = logging.getLogger(__name__)
# How soon a tick the database refused is tried again (within the same minute, it counts).
RETRY_SECONDS = 5


class Command(BaseCommand):
    help = "Hand the periodic tasks (reminders, digests, check-ins) to the worker every minute."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Tick once and stop.")

    def handle(self, *args, once: bool = False, **options) -> None:
        running = True
        next_recovery = 0.0

        def stop(*_args: object) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while running:
            enqueued = self.tick()
            if enqueued is not None and (options["verbosity"] > 1 or once):
                self.stdout.write(f"{timezone.now():%H:%M} enqueued {len(enqueued)} task(s)")
            if once:
                self.recover()
                return
            # Sleep to the start of the next minute, waking each second to notice a stop,
            # and every RECOVER_SECONDS hand back the jobs of workers that died.
            deadline = time.time() + 60 - time.time() % 60
            if enqueued is None:
                deadline = min(deadline, time.time() + RETRY_SECONDS)
            while running and time.time() < deadline:
                if time.monotonic() >= next_recovery:
                    self.recover()
                    next_recovery = time.monotonic() + jobs.RECOVER_SECONDS
                time.sleep(max(0.0, min(1.0, deadline - time.time())))

    def tick(self) -> list[str] | None:
        """This minute's tick; None when the database is away (the process carries on and
        tries again a few seconds later; the periodic tasks catch up on what they missed).

        As Django does before a request, a connection that broke while the clock slept
        (the database restarted) is dropped first, so the tick reconnects instead of
        failing once on the dead connection."""
        drop_broken_connection()
        try:
            return clock.tick()
        except DatabaseError:
            logger.exception("Could not tick; trying again in %s s", RETRY_SECONDS)
            # A dropped connection stays broken until closed; the next query reconnects.
            connections.close_all()
            return None

    def recover(self) -> None:
        try:
            jobs.recover_lost_jobs()
        except DatabaseError:
            # A locked or unreachable database: the next round tries again.
            logger.exception("Could not look for jobs whose worker died")
            connections.close_all()


def drop_broken_connection() -> None:
    """Close the connection if it broke or aged out (`close_old_connections`), never inside
    a transaction, where closing would lose it (the tests run in one)."""
    if not connection.in_atomic_block:
        close_old_connections()
