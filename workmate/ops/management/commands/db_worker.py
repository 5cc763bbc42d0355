"""django-tasks-db's `db_worker`, with a heartbeat so a job it dies in is not left RUNNING,
and riding out a database that goes away for a while.

This app comes before django_tasks_db in INSTALLED_APPS, so `manage.py db_worker` is this
command (as staticfiles' `runserver` replaces Django's). The worker id names the host and
the process (`host:pid:random`), and a thread refreshes the worker's heartbeat row while
it runs; the clock hands back or fails the jobs of a worker whose heartbeat stops
(`workmate.ops.jobs`).

django-tasks-db's loop ends the process on any database error but a lock. Here the worker
instead drops its connections, waits (1 s, doubling to RECONNECT_MAX_SECONDS) and carries
on; a job it was running when the error came (finishing it needs the database too) is
handed back like a dead worker's job (`jobs.release_claimed`), so nothing waits for ever.
"""

from __future__ import annotations

import logging
import os
import time

from django.core.management.base import CommandError
from django.db import InterfaceError, OperationalError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from workmate.ops import jobs

logger = logging.getLogger(__name__)

RECONNECT_MAX_SECONDS = 30
# A failure after this long without one starts the back-off from 1 s again.
RECONNECT_CALM_SECONDS = 60


class ReconnectingWorker(Worker):
    def run(self) -> None:
        delay = 1.0
        while True:
            started = time.monotonic()
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                if not self.running:
                    raise
                if time.monotonic() - started > RECONNECT_CALM_SECONDS:
                    delay = 1.0
                logger.warning(
                    "Worker %s lost the database (%s); trying again in %.0f s",
                    self.worker_id,
                    exc,
                    delay,
                )
                self.running_task = False
                connections.close_all()
                time.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)
                try:
                    jobs.release_claimed(self.worker_id)
                except (OperationalError, InterfaceError):
                    connections.close_all()  # Still away: the next round tries again.


class Command(DBWorkerCommand):
    help = "Run a database background worker that keeps a heartbeat."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=jobs.new_worker_id())

    def handle(self, *args, **options) -> None:
        if options["reload"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
                # The reloader's parent only watches files; its child runs jobs and beats.
                return super().handle(*args, **options)
            with jobs.heartbeat(options["worker_id"]):
                return super().handle(*args, **options)
        # As django-tasks-db's handle(), with the reconnecting worker.
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ReconnectingWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        with jobs.heartbeat(options["worker_id"]):
            worker.configure_signals()
            worker.run()
