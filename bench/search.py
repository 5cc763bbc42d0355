"""Search benchmark on the bench data (bench/README.md, "Search").

    DATABASE_URL=sqlite:///$PWD/var/bench.sqlite3 DEBUG=1 .venv/bin/python bench/search.py

1. gives the seeded tasks and tickets Korean words (the seeders write English only): a
   Korean phrase is put before each title by id, so every word is on a known share of
   rows (once; a marker row remembers it);
2. times `manage.py rebuild_search --restart` over the whole data set;
3. measures the index's size on disk;
4. searches as a member of a team, one request at a time through the Django test client
   (the results page and the API, one connection), 30 times per query after a warm-up,
   and prints p50/p95 per query.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workmate.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from workmate.accounts.models import Membership  # noqa: E402

PHRASES = [
    "서버 점검",
    "장애 보고",
    "배포 일정",
    "고객 문의",
    "DB 서버를 재시작",
    "API서버 배포",
    "보안 패치",
    "네트워크 장애",
    "백업 복구 훈련",
    "결제 시스템 개편",
    "",
    "",
]
QUERIES = [
    "서버", "장애", "배포 일정", "고객", "API서버", "팀", "backup", "deploy database",
    '"서버 점검"', "서버 -장애", "서버 type:task status:open",
]  # fmt: skip


def koreanise() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM work_task WHERE title LIKE '%%서버 점검%%'")
        if cursor.fetchone()[0]:
            return
        n = len(PHRASES)
        cases = " ".join(f"WHEN {i} THEN '{p} '" for i, p in enumerate(PHRASES))
        for table, column in (("work_task", "title"), ("desk_ticket", "subject")):
            cursor.execute(f"UPDATE {table} SET {column} = (CASE id % {n} {cases} END) || {column}")


def index_size() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT pg_total_relation_size('search_entry'),"
                " pg_relation_size('search_entry_tsv_idx')"
            )
            total, gin = cursor.fetchone()
            mib = 2**20
            return f"search_entry {total / mib:.0f} MiB in all, of which GIN {gin / mib:.0f} MiB"
        try:
            cursor.execute(
                "SELECT name, SUM(pgsize) FROM dbstat WHERE name LIKE 'search_%' GROUP BY name"
            )
            rows = cursor.fetchall()
        except Exception:
            return "dbstat not available"
        total = sum(size for _name, size in rows)
        parts = ", ".join(f"{name} {size / 2**20:.0f}" for name, size in sorted(rows))
        return f"{total / 2**20:.0f} MiB ({parts} MiB)"


def main() -> None:
    setup_test_environment()
    koreanise()
    if "--no-rebuild" not in sys.argv:
        started, cpu = time.monotonic(), time.process_time()
        call_command("rebuild_search", "--restart")
        print(
            f"rebuild_search: {time.monotonic() - started:.0f} s"
            f" ({time.process_time() - cpu:.0f} s of this process's CPU, SQLite's included)"
        )
        sys.stdout.flush()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print("index size:", index_size())
    member = Membership.objects.select_related("user").order_by("pk").first().user
    client = Client()
    client.force_login(member)
    print(f"as {member.email}; 30 requests a query, one at a time")
    print(f"{'query':34} {'page p50':>9} {'p95':>6} {'api p50':>8} {'p95':>6}  hits")
    for query in QUERIES:
        row = []
        for url in ("/search/", "/api/v1/search"):
            client.get(url, {"q": query})
            times = []
            for _ in range(30):
                started = time.perf_counter()
                response = client.get(url, {"q": query})
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, query, response.status_code)
            times.sort()
            row += [statistics.median(times), times[int(len(times) * 0.95) - 1]]
        body = client.get("/api/v1/search", {"q": query}).json()
        total = f"{body['total']}{'+' if body['capped'] else ''}"
        print(f"{query:34} {row[0]:9.1f} {row[1]:6.1f} {row[2]:8.1f} {row[3]:6.1f}  {total}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
