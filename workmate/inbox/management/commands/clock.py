from __future__ import annotations

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connection
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
            # Sleep to the start of the next minute (or a few seconds when the database
            # was away), waking each second to notice a stop, and every RECOVER_SECONDS
            # hand back the jobs of workers that died.
            deadline = time.time() + 60 - time.time() % 60
            if enqueued is None:
                deadline = min(deadline, time.time() + RETRY_SECONDS)
            while running and time.time() < deadline:
                if time.monotonic() >= next_recovery:
                    self.recover()
                    next_recovery = time.monotonic() + jobs.RECOVER_SECONDS
                time.sleep(max(0.0, min(1.0, deadline - time.time())))

    def tick(self) -> list[str] | None:
        """This minute's tick; None when the database could not be reached.

        A database that is away (restarted, failed over) must not end the clock: the
        minute is missed and the next one queues the periodic tasks, which work out what
        is due from the time they run. As a request does, drop a connection that broke
        before using it again, so the clock reconnects once the database is back.
        """
        drop_broken_connection()
        try:
            return clock.tick()
        except DatabaseError:
            logger.exception("Could not queue this minute's periodic tasks; trying next minute")
            drop_broken_connection()
            return None

    def recover(self) -> None:
        drop_broken_connection()
        try:
            jobs.recover_lost_jobs()
        except DatabaseError:
            # A locked or unreachable database: the next round tries again.
            logger.exception("Could not look for jobs whose worker died")
            drop_broken_connection()


def drop_broken_connection() -> None:
    """Close the database connection if it broke or aged out, as Django does between
    requests, so the next query opens a new one (and PostgreSQL's health check runs).

    Never inside a transaction, where closing would lose it (the tests run in one)."""
    if not connection.in_atomic_block:
        close_old_connections()
