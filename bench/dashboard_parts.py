"""Where the desk dashboard's time goes, part by part, in CPU time of this process.

    DATABASE_URL=... .venv/bin/python bench/dashboard_parts.py [RUNS]

The median `time.process_time` (and wall time: PostgreSQL's work is in its own process) of
RUNS calls (default 25) of each part of
`workmate.desk.dashboard.build_dashboard` and of the whole, with each part's queries and
their wall time (SQL) from one more call.
"""

from __future__ import annotations

import statistics
import sys
import time

import benchlib


def main() -> None:
    benchlib.setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from workmate.desk import dashboard

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    now = timezone.now()
    start, end = dashboard._today(now)
    parts = {
        "active counts": dashboard._active_rows,
        "breached / at risk": lambda: dashboard._breached_and_at_risk(now),
        "attainment": lambda: dashboard._attainment(start, end),
        "oldest": lambda: dashboard.OLDEST_WAITING.rows(),
        "trend": lambda: dashboard._trend(now),
        "build_dashboard": lambda: dashboard.build_dashboard(now),
    }
    for name, part in parts.items():
        part()  # warm: prepared SQL, caches
        cpu, wall = [], []
        for _ in range(runs):
            started, clock = time.process_time(), time.perf_counter()
            part()
            cpu.append(time.process_time() - started)
            wall.append(time.perf_counter() - clock)
        with CaptureQueriesContext(connection) as queries:
            part()
        sql = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        print(
            f"{name:20} CPU median {statistics.median(cpu) * 1000:6.2f} ms"
            f"  min {min(cpu) * 1000:6.2f}  wall median {statistics.median(wall) * 1000:6.2f}"
            f"  queries {len(queries.captured_queries)}"
            f"  SQL wall {sql:6.2f} ms"
        )
    breached = dashboard._breached_and_at_risk(now)
    print(
        "breached",
        sum(b for b, _r in breached.values()),
        "at risk",
        sum(r for _b, r in breached.values()),
    )


if __name__ == "__main__":
    main()
