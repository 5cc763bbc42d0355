"""Advisor benchmark: a 20,000-VM RVTools export, imported and assessed in the worker.

    .venv/bin/python bench/advisor.py            # VMS=20000 by default
    VMS=5000 FORMAT=template .venv/bin/python bench/advisor.py

Steps (every figure is wall-clock time on this machine):
  1. a fresh SQLite file var/bench-advisor.sqlite3 (migrated; never the development
     database), the LE team, an architect, a customer, the shipped Seoul price snapshot;
  2. an RVTools .xlsx with VMS VMs (vInfo, vPartition, vHost) written by openpyxl;
  3. a real worker (`manage.py db_worker`) is started; the upload goes through
     `services.do_start_import` as the page's POST does; the script polls the ImportRun
     row every 0.2 s as the page's progress bar does, confirms the preview, and polls
     again until the import is done (written in one transaction, then computed in
     batches of 1,000);
  4. the assessment page (summary, findings, first page of the workload table) is
     rendered through the test client, and pages 2 and 200 of the table are counted
     in queries (constant: the page is keyset-free but bounded, 50 rows, no N+1).
The target: steps 3 + 4 (upload to rendered summary) under 30 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = ROOT / "var" / "bench-advisor.sqlite3"
VMS = int(os.environ.get("VMS", "20000"))
FORMAT = os.environ.get("FORMAT", "xlsx")


def main() -> None:
    DB.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{DB}",
        "DEBUG": "true",
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "WORKMATE_VAR_DIR": str(ROOT / "var"),
        "MEDIA_ROOT": str(ROOT / "var" / "bench-media"),
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workmate.settings")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], check=True, env=env)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from workmate.accounts.models import TeamRole
    from workmate.advisor import prices, samples, services
    from workmate.advisor.models import ImportRun, ImportStatus
    from workmate.testing.factories import add_member, make_customer, make_team, make_user

    team = make_team(code="LE", name="Lead Engineering")
    architect = make_user(email="architect@bench.example", full_name="Bench Architect")
    add_member(team, architect, TeamRole.MEMBER)
    customer = make_customer(name="Bench Bank", industry="finance")
    prices.load_snapshot()
    assessment = services.do_create_assessment(architect, customer, f"{VMS} VMs")

    started = time.perf_counter()
    machines = samples.machines(VMS)
    if FORMAT == "template":
        files = [("inventory.csv", samples.template_csv(machines))]
    else:
        files = [("RVTools.xlsx", samples.rvtools_xlsx(machines))]
    size = sum(len(data) for _name, data in files)
    print(
        f"{VMS} VMs, {files[0][0]} {size / 1e6:.1f} MB written in "
        f"{time.perf_counter() - started:.1f} s (not counted)"
    )

    worker = subprocess.Popen(
        [*manage, "db_worker", "--interval", "0.1", "--no-startup-delay"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # A running installation has its worker up and its pages warm: wait until the
        # worker has taken a first job, and render the (empty) page once.
        from workmate.advisor.tasks import recompute_assessment

        result = recompute_assessment.enqueue(assessment.pk)
        while result.status not in {"SUCCESSFUL", "FAILED"}:
            time.sleep(0.2)
            result.refresh()
        client = Client()
        client.force_login(architect)
        client.get(assessment.get_absolute_url())
        print("worker up, page warm")

        t0 = time.perf_counter()
        run = services.do_start_import(architect, assessment, files)
        seen = set()

        def wait(until: set[str]) -> ImportRun:
            while True:
                current = ImportRun.objects.get(pk=run.pk)
                mark = (current.status, current.phase)
                if mark not in seen:
                    seen.add(mark)
                    print(f"  {time.perf_counter() - t0:6.1f} s  {current.status} {current.phase}")
                if current.status in until:
                    return current
                time.sleep(0.2)

        current = wait({ImportStatus.PREVIEW, ImportStatus.REFUSED})
        t_preview = time.perf_counter() - t0
        assert current.status == ImportStatus.PREVIEW, current.error
        t1 = time.perf_counter()
        services.do_confirm_import(architect, current)
        current = wait({ImportStatus.DONE, ImportStatus.REFUSED})
        t_apply = time.perf_counter() - t1
        assert current.status == ImportStatus.DONE, current.error

        t2 = time.perf_counter()
        response = client.get(assessment.get_absolute_url())
        t_page = time.perf_counter() - t2
        assert response.status_code == 200
        total = time.perf_counter() - t0
    finally:
        worker.terminate()
        worker.wait(10)

    counts = []
    for page in (2, 200):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{assessment.get_absolute_url()}?page={page}")
        assert response.status_code == 200
        counts.append(len(queries))
    t3 = time.perf_counter()
    client.get(f"{assessment.get_absolute_url()}?page=200")
    t_page200 = time.perf_counter() - t3

    print()
    print("| step | seconds |\n|---|---|")
    print(f"| upload → preview ready (worker reads the file) | {t_preview:.1f} |")
    print(f"| confirm → done (one transaction + compute {VMS} workloads) | {t_apply:.1f} |")
    print(f"| render the assessment page (summary, findings, table page 1) | {t_page:.2f} |")
    print(f"| **upload → rendered summary** | **{total:.1f}** |")
    print(f"| table page 200 | {t_page200:.2f} |")
    print(f"\nqueries: page 2 = {counts[0]}, page 200 = {counts[1]}")
    print(f"rows: {current.rows_created} created, {len(current.refusals)} refused")


if __name__ == "__main__":
    main()
