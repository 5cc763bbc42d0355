"""Time creating a task and a comment in-process, one request at a time, and say where a
create spends its time (bench/README.md, "The write path").

Run with the benchmark's environment (bench/run_writes.sh does), after bench/prepare.py:
    WRITE_PROJECT=... WRITE_TASK=... TOKEN=... .venv/bin/python bench/write_time.py
    ... bench/write_time.py --profile web_task   # cProfile of one kind, top 30 by own time

For each kind (task or comment, through the web form or the API): the fastest and median
of RUNS requests (wall clock) and the median CPU time of this process (less moved by other
processes on a shared machine), and for one more its queries (count and SQL time) and the
time spent after the commit (`on_commit` callbacks: search indexing, mail enqueue).
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import statistics
import sys
import time

import benchlib

RUNS = 30


def main() -> None:
    benchlib.setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    project = os.environ["WRITE_PROJECT"]
    task = os.environ["WRITE_TASK"]
    anonymous, client, bearer = benchlib.clients(os.environ.get("TOKEN", ""))
    # The web form posts carry the CSRF token as a browser would (checked, not skipped).
    client.get("/work/")
    csrf = client.cookies["csrftoken"].value
    form = {"HTTP_X_CSRFTOKEN": csrf}
    kinds = {
        "web_task": lambda n: client.post(
            f"/work/projects/{project}/tasks/", {"title": f"Bench write {n}"}, **form
        ),
        "api_task": lambda n: anonymous.post(
            "/api/v1/tasks",
            json.dumps({"project_id": int(project), "title": f"Bench write {n}"}),
            content_type="application/json",
            **bearer,
        ),
        "web_comment": lambda n: client.post(
            f"/work/tasks/{task}/comments/", {"body": f"Bench comment {n}"}, **form
        ),
        "api_comment": lambda n: anonymous.post(
            f"/api/v1/tasks/{task}/comments",
            json.dumps({"body": f"Bench comment {n}"}),
            content_type="application/json",
            **bearer,
        ),
    }
    expected = {"web_task": 302, "api_task": 201, "web_comment": 302, "api_comment": 201}

    if "--profile" in sys.argv:
        kind = sys.argv[sys.argv.index("--profile") + 1]
        kinds[kind](0)
        # CPU time, not wall clock: other processes on a shared machine do not count.
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for n in range(RUNS):
            kinds[kind](n)
        profile.disable()
        stats = pstats.Stats(profile).sort_stats("tottime")
        stats.print_stats(30)
        stats.sort_stats("cumulative").print_stats(60)
        return

    print(
        f"{'create':12} {'min ms':>8} {'median':>8} {'CPU ms':>8} {'SQL ms':>8} {'queries':>8} "
        f"{'commit+':>8}"
    )
    for name, create in kinds.items():
        response = create(0)
        if response.status_code != expected[name]:
            print(f"{name:12} answers {response.status_code}: skipped")
            continue
        times = []
        cpu = []
        for n in range(RUNS):
            started, started_cpu = time.perf_counter(), time.process_time()
            create(n)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        after_commit = _time_on_commit()
        with CaptureQueriesContext(connection) as queries:
            create(RUNS)
        sql = sum(float(query["time"]) for query in queries.captured_queries)
        print(
            f"{name:12} {min(times) * 1000:8.1f} {statistics.median(times) * 1000:8.1f} "
            f"{statistics.median(cpu) * 1000:8.1f} {sql * 1000:8.1f} {len(queries):8d} "
            f"{after_commit() * 1000:8.1f}"
        )
        if "--sql" in sys.argv:
            for query in queries.captured_queries:
                print(f"    {float(query['time']) * 1000:7.2f} ms  {query['sql'][:200]}")


def _time_on_commit():
    """Wrap the next request's on-commit callbacks; the returned function gives their time."""
    from django.db import connection

    spent = [0.0]
    original = connection.run_and_clear_commit_hooks

    def timed() -> None:
        started = time.perf_counter()
        original()
        spent[0] += time.perf_counter() - started
        connection.run_and_clear_commit_hooks = original

    connection.run_and_clear_commit_hooks = timed
    return lambda: spent[0]


if __name__ == "__main__":
    main()
