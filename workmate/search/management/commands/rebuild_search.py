"""`manage.py rebuild_search`: re-index everything, in batches, with progress; run it
again after a stop and it goes on where it stopped (`--restart` to begin again)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from workmate.search.models import Kind
from workmate.search.rebuild import BATCH, rebuild


class Command(BaseCommand):
    help = "Rebuild the search index (batched, resumable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", action="append", choices=Kind.values, help="Only these.")
        parser.add_argument("--batch", type=int, default=BATCH)
        parser.add_argument("--restart", action="store_true", help="Forget an unfinished run.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        last_report = [0.0]

        def progress(kind: str, done: int, total: int) -> None:
            now = time.monotonic()
            if now - last_report[0] >= 2 or done >= total:
                last_report[0] = now
                self.stdout.write(f"{kind}: {done}/{total} ({now - started:.0f} s)")

        written = rebuild(
            kinds=options["kind"],
            restart=options["restart"],
            batch=max(1, options["batch"]),
            progress=progress,
        )
        for kind, count in written.items():
            self.stdout.write(f"{kind}: {count} indexed")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))
