"""django-tasks-db's `db_worker`, with a heartbeat so a job it dies in is not left RUNNING.

This app comes before django_tasks_db in INSTALLED_APPS, so `manage.py db_worker` is this
command (as staticfiles' `runserver` replaces Django's). The worker id names the host and
the process (`host:pid:random`), and a thread refreshes the worker's heartbeat row while
it runs; the clock hands back or fails the jobs of a worker whose heartbeat stops
(`workmate.ops.jobs`).
"""

from __future__ import annotations

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from workmate.ops import jobs


class Command(DBWorkerCommand):
    help = "Run a database background worker that keeps a heartbeat."

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=jobs.new_worker_id())

    def handle(self, *args, **options) -> None:
        if options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The reloader's parent only watches files; its child runs jobs and beats.
            return super().handle(*args, **options)
        with jobs.heartbeat(options["worker_id"]):
            super().handle(*args, **options)
