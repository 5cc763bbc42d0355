"""The "Unassigned" queue before and after ticket_unassigned_team_idx, in one process.

Each round times the pages in three variants, back to back: A = before (the index dropped
inside a transaction that is rolled back, the rows as before), B = the index with the rows
as before, C = the index and the rows read by team (`queue_sql._by_team`, PostgreSQL
only). It prints the median and fastest wall time and the median CPU time (ms) of each.
The dropped index holds a lock on desk_ticket for the round: run it on a benchmark
database, not one that serves anyone.

    DATABASE_URL=... (bench/lib.sh's environment) .venv/bin/python bench/ab_unassigned.py
    PAGES=/desk/unassigned/,/desk/mine/ VARIANTS=A,C ROUNDS=6 K=5   (the defaults differ)

Besides the busy agent it logs in an agent of team 1 alone, whose team holds no unassigned
ticket in the benchmark's data (every one is team 11's).
"""

from __future__ import annotations

import os
import statistics
import time

import benchlib


def main() -> None:
    benchlib.setup_django()
    from django.db import connection, transaction
    from django.test import Client

    from workmate.desk import queue_sql

    _, client, _ = benchlib.clients("")
    alone = benchlib.one_team_agent(1)
    other = Client(HTTP_HOST="127.0.0.1")
    other.force_login(alone)
    by_team = queue_sql._by_team
    paths = os.environ.get("PAGES", "/desk/unassigned/").split(",")
    pages = [(path, path, client) for path in paths]
    pages.append(("/desk/unassigned/ (team 1 alone)", "/desk/unassigned/", other))
    rounds, runs = int(os.environ.get("ROUNDS", 6)), int(os.environ.get("K", 5))
    variants = os.environ.get("VARIANTS", "A,B,C").split(",")
    times: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    for _ in range(rounds):
        for variant in variants:
            queue_sql._by_team = (
                by_team if variant == "C" else (lambda c, t, sql, params, s, n: (sql, params))
            )
            queue_sql.QUERIES._compiled.clear()
            with transaction.atomic():
                if variant == "A":
                    with connection.cursor() as cursor:
                        cursor.execute("DROP INDEX ticket_unassigned_team_idx")
                for name, path, person in pages:
                    if variant == "B" and "unassigned" not in path:
                        continue
                    for _ in range(2):  # prepared and planned again
                        person.get(path)
                    wall, cpu = times.setdefault((name, variant), ([], []))
                    for _ in range(runs):
                        started, used = time.perf_counter(), time.process_time()
                        assert person.get(path).status_code == 200
                        wall.append(time.perf_counter() - started)
                        cpu.append(time.process_time() - used)
                transaction.set_rollback(True)
    queue_sql._by_team = by_team
    for name, _path, _person in pages:
        line = f"{name:34}"
        for variant in variants:
            if (name, variant) in times:
                wall, cpu = times[name, variant]
                line += (
                    f" | {variant}: {statistics.median(wall) * 1000:5.1f}"
                    f" (min {min(wall) * 1000:5.1f}) CPU {statistics.median(cpu) * 1000:5.1f}"
                )
        print(line)


if __name__ == "__main__":
    main()
