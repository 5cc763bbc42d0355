"""What the benchmark seeders (`bench_seed`, `bench_seed_desk`) share: the guard that keeps
them off any database but a SQLite file or PostgreSQL database named "*bench*", loading
with durability off, and progress lines with the time since the start.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection


class SeedCommand(BaseCommand):
    """A seeding command: `check_bench_database()`, then load inside `bulk_load()`."""

    started = 0.0

    def check_bench_database(self, script: str) -> str:
        """The database's name; refuses anything but a SQLite file or a PostgreSQL database
        whose name contains "bench"."""
        name = str(connection.settings_dict["NAME"])
        if connection.vendor not in ("sqlite", "postgresql") or "bench" not in name:
            raise CommandError(
                f"Refusing to seed {name!r}: point DATABASE_URL at a SQLite file or a "
                f"PostgreSQL database whose name contains 'bench' ({script} uses "
                f"var/bench.sqlite3)."
            )
        self.started = time.monotonic()
        return name

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Load with durability off, then give the query planner its statistics.

        A crash while loading means seeding again. SQLite cannot change these settings
        inside a transaction, so a caller's one (as in tests) keeps them. The seeders give
        rows their ids themselves (children point at parents of the same batch), which
        PostgreSQL's sequences do not see: afterwards each sequence is set past the
        largest id, or the app's next insert would collide with a seeded row.
        """
        sqlite = connection.vendor == "sqlite"
        tune = not connection.in_atomic_block
        if tune:
            with connection.cursor() as cursor:
                if sqlite:
                    cursor.execute("PRAGMA journal_mode=WAL")
                    cursor.execute("PRAGMA synchronous=OFF")
                    cursor.execute("PRAGMA cache_size=-1000000")
                    cursor.execute("PRAGMA temp_store=MEMORY")
                else:
                    cursor.execute("SET synchronous_commit = off")
        yield
        with connection.cursor() as cursor:
            if not sqlite:
                for statement in connection.ops.sequence_reset_sql(
                    no_style(), apps.get_models(include_auto_created=True)
                ):
                    cursor.execute(statement)
            self.progress("analysing (query planner statistics)")
            cursor.execute("ANALYZE")
            if tune and sqlite:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def progress(self, message: str) -> None:
        self.stdout.write(f"[{time.monotonic() - self.started:6.1f}s] {message}")
        self.stdout.flush()
