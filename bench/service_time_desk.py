"""Time each desk page in-process, one request at a time (as bench/service_time.py does).

The fastest and the median of 20 sequential requests through Django's test client, with
the SQL time and the number of queries of one more. bench/run_desk.sh runs this after wrk:
    TICKET=... TOKEN=... .venv/bin/python bench/service_time_desk.py
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
    ticket = os.environ["TICKET"]
    token = os.environ.get("TOKEN", "")
    # As in the wrk run: the bare view and the API get no session cookie.
    anonymous = Client(HTTP_HOST="127.0.0.1")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=BUSY_EMAIL))
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    pages = [
        ("bare", anonymous, "/healthz", {}),
        ("mine", client, "/desk/mine/", {}),
        ("unassigned", client, "/desk/unassigned/", {}),
        ("at_risk", client, "/desk/at-risk/", {}),
        ("breached", client, "/desk/breached/", {}),
        ("pending", client, "/desk/pending/", {}),
        ("all", client, "/desk/all/", {}),
        ("ticket", client, f"/desk/tickets/{ticket}/", {}),
        ("api_tickets", anonymous, "/api/v1/desk/tickets", bearer),
    ]
    only = set(filter(None, os.environ.get("PAGES", "").split(",")))
    print(f"{'page':14} {'min ms':>8} {'median':>8} {'SQL ms':>8} {'queries':>8} {'KiB':>6}")
    for name, client, path, headers in pages:
        if only and name not in only:
            continue
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
        if os.environ.get("SHOW_SQL"):
            for query in queries.captured_queries:
                print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")


if __name__ == "__main__":
    main()
