"""SQLite: the "Unassigned" queue read by team (this branch) against the walk of the
assignee index (the statements of `git show REV:workmate/desk/queue_sql.py`), in one process.

Each round times the pages with the old module's statements (A) and this one's (B), back
to back, and prints the median and fastest wall time and the median CPU time (ms), then
the two statements alone (CPU, `Bound.count()` and `Bound.rows(0)`). Read-only: run it on
a copy of the benchmark's SQLite file migrated to desk 0014.

    DATABASE_URL=sqlite:////path/copy.sqlite3 WORKMATE_TESTING=1 \\
        .venv/bin/python bench/ab_unassigned_sqlite.py        REV=main ROUNDS=6 K=5

Besides the busy agent (teams 1 and 11) it logs in an agent of team 1 alone, whose team
holds no unassigned ticket in the benchmark's data (every one is team 11's).
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time

import benchlib


def _old_module():
    source = subprocess.run(
        ["git", "show", f"{os.environ.get('REV', 'main')}:workmate/desk/queue_sql.py"],
        cwd=benchlib.ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as file:
        file.write(source)
    spec = importlib.util.spec_from_file_location("queue_sql_before", file.name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    benchlib.setup_django()
    from django.test import Client
    from django.utils import timezone

    from workmate.desk import queue_sql, views

    modules = {"A": _old_module(), "B": queue_sql}
    _, client, _ = benchlib.clients("")
    alone = benchlib.one_team_agent(1)
    other = Client(HTTP_HOST="127.0.0.1")
    other.force_login(alone)
    paths = os.environ.get("PAGES", "/desk/unassigned/,/desk/mine/").split(",")
    pages = [(path, path, client) for path in paths]
    pages.append(("/desk/unassigned/ (team 1 alone)", "/desk/unassigned/", other))
    rounds, runs = int(os.environ.get("ROUNDS", 6)), int(os.environ.get("K", 5))
    times: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    for _ in range(rounds):
        for variant, module in modules.items():
            views.queue_sql = module
            for name, path, person in pages:
                person.get(path)
                wall, cpu = times.setdefault((name, variant), ([], []))
                for _ in range(runs):
                    started, used = time.perf_counter(), time.process_time()
                    assert person.get(path).status_code == 200
                    wall.append(time.perf_counter() - started)
                    cpu.append(time.process_time() - used)
    views.queue_sql = queue_sql
    for name, _path, _person in pages:
        line = f"{name:34}"
        for variant in modules:
            wall, cpu = times[name, variant]
            line += (
                f" | {variant}: {statistics.median(wall) * 1000:5.1f}"
                f" (min {min(wall) * 1000:5.1f}) CPU {statistics.median(cpu) * 1000:5.1f}"
            )
        print(line)
    shape = queue_sql.Shape("unassigned", "", None, "", "", False, False, 0)
    busy = benchlib.busy_person().pk
    for who, user in (("busy", busy), ("team 1 alone", alone.pk)):
        line = f"statements, {who:22}"
        for variant, module in modules.items():
            bound = module.QUERIES.bind(shape, user=user, now=timezone.now())
            for what, read in (("count", bound.count), ("rows", lambda b=bound: b.rows(0))):
                read()
                cpu = []
                for _ in range(rounds * runs):
                    used = time.process_time()
                    read()
                    cpu.append(time.process_time() - used)
                line += f" | {variant} {what} {statistics.median(cpu) * 1000:5.2f}"
        print(line)


if __name__ == "__main__":
    main()
