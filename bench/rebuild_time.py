"""Time (and profile) `rebuild_search` on a bench database (bench/README.md, "Search").

    DATABASE_URL=sqlite:///$PWD/var/copy.sqlite3 WORKMATE_TESTING=1 \
        .venv/bin/python bench/rebuild_time.py [--restart] [--kind ticket] [--profile N]

Prints wall time and this process's CPU time (SQLite works in the process, so its CPU is
included; PostgreSQL's server is not), rows written per kind, and with `--profile` the
N most costly functions by own CPU time and by cumulative CPU time (cProfile with a CPU
timer, so other processes on a shared machine do not count). Run it on a copy: it writes
the index.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workmate.settings")

import django

django.setup()

from workmate.search import rebuild  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--restart", action="store_true")
    parser.add_argument("--kind", action="append")
    parser.add_argument("--batch", type=int, default=rebuild.BATCH)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    started, cpu = time.monotonic(), time.process_time()
    if profiler:
        profiler.enable()
    written = rebuild.rebuild(kinds=args.kind, restart=args.restart, batch=args.batch)
    if profiler:
        profiler.disable()
    print(
        f"rebuild: {time.monotonic() - started:.1f} s wall,"
        f" {time.process_time() - cpu:.1f} s CPU; rows {written}"
    )
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(args.profile)
        stats.sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
