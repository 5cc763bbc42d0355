"""django-tasks-db's `db_worker`, with a heartbeat so a job it dies in is not left RUNNING.

This app comes before django_tasks_db in INSTALLED_APPS, so `manage.py db_worker` is this
command (as staticfiles' `runserver` replaces Django's). The worker id names the host and
the process (`host:pid:random`), and a thread refreshes the worker's heartbeat row while
it runs; the clock hands back or fails the jobs of a worker whose heartbeat stops
(`workmate.ops.jobs`). A worker that loses the database does not end: it tries again
every few seconds and then hands back the job it was in the middle of.
"""

from __future__ import annotations

import logging
import os
import time

from django.db import DatabaseError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from workmate.ops import jobs

logger = logging.getLogger(__name__)
# How often a worker that lost the database tries it again.
RETRY_SECONDS = 5


class Command(DBWorkerCommand):
    help = "Run a database background worker that keeps a heartbeat."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=jobs.new_worker_id())

    def handle(self, *args, **options) -> None:
        if options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The reloader's parent only watches files; its child runs jobs and beats.
            return super().handle(*args, **options)
        worker_id = options["worker_id"]
        with jobs.heartbeat(worker_id):
            while True:
                try:
                    super().handle(*args, **options)
                    return
                except DatabaseError:
                    # The database went away (restarted, failed over): wait for it rather
                    # than end, as a request would get a 503 and the next one succeed.
                    logger.exception(
                        "Worker %s lost the database; trying again every %s s",
                        worker_id,
                        RETRY_SECONDS,
                    )
                self.wait_for_database(worker_id)

    def wait_for_database(self, worker_id: str) -> None:
        """Until the database answers again; then hand back the job that was interrupted."""
        while True:
            connections.close_all()
            time.sleep(RETRY_SECONDS)
            try:
                handed_back = jobs.hand_back(worker_id)
            except DatabaseError:
                continue
            logger.warning(
                "Worker %s has the database again; jobs handed back: %s", worker_id, handed_back
            )
            return
