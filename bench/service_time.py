"""Time each benchmarked page in-process, one request at a time (no server, no queueing).

wrk's figures on a shared 2-core machine move with whatever else runs; the fastest of
N sequential requests through Django's test client does not, and it splits a page's
cost into SQL and the rest (mostly template rendering). bench/run.sh runs this after wrk:
    PROJECT=... TOKEN=... .venv/bin/python bench/service_time.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workmate.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from workmate.accounts.models import User  # noqa: E402
from workmate.work.management.commands.bench_seed import BUSY_EMAIL  # noqa: E402

RUNS = 20


def main() -> None:
    project = os.environ["PROJECT"]
    token = os.environ.get("TOKEN", "")
    # As in the wrk run: the bare view and the API get no session cookie.
    anonymous = Client(HTTP_HOST="127.0.0.1")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=BUSY_EMAIL))
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    pages = [
        ("bare", anonymous, "/healthz", {}),
        ("my_tasks", client, "/work/", {}),
        ("project_list", client, f"/work/projects/{project}/", {}),
        ("api_tasks", anonymous, f"/api/v1/tasks?project={project}", bearer),
    ]
    print(f"{'page':14} {'min ms':>8} {'median':>8} {'SQL ms':>8} {'queries':>8} {'KiB':>6}")
    for name, client, path, headers in pages:
        response = client.get(path, **headers)
        if response.status_code != 200:
            print(f"{name:14} answers {response.status_code}: skipped")
            continue
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            client.get(path, **headers)
            times.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            client.get(path, **headers)
        sql = sum(float(query["time"]) for query in queries.captured_queries)
        print(
            f"{name:14} {min(times) * 1000:8.1f} {statistics.median(times) * 1000:8.1f} "
            f"{sql * 1000:8.1f} {len(queries):8d} {len(response.content) // 1024:6d}"
        )


if __name__ == "__main__":
    main()
