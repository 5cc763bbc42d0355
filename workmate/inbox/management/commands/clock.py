from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from workmate.inbox import clock


class Command(BaseCommand):
    help = "Hand the periodic tasks (reminders, digests, check-ins) to the worker every minute."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Tick once and stop.")

    def handle(self, *args, once: bool = False, **options) -> None:
        running = True

        def stop(*_args: object) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while running:
            enqueued = clock.tick()
            if options["verbosity"] > 1 or once:
                self.stdout.write(f"{timezone.now():%H:%M} enqueued {len(enqueued)} task(s)")
            if once:
                return
            # Sleep to the start of the next minute, waking each second to notice a stop.
            deadline = time.time() + 60 - time.time() % 60
            while running and time.time() < deadline:
                time.sleep(min(1.0, deadline - time.time()))
