"""Automation and webhooks benchmark (bench/README.md, "Automation and webhooks").

    .venv/bin/python bench/webhooks.py            # 10,000 events, 2 workers
    EVENTS=1000 WORKERS=2 BASELINE=0 .venv/bin/python bench/webhooks.py   # no all-up pass
    DATABASE_URL=postgres://… .venv/bin/python bench/webhooks.py   # a database it may wipe

1. makes a fresh database (var/bench_webhooks.sqlite3 unless DATABASE_URL names one whose
   name contains "bench") and migrates it;
2. one project with 200 tasks, 20 event rules on `task.created` (two match every task and
   add a tag, which records a rule-caused `task.updated`; eighteen test a title that never
   matches), and 5 endpoints subscribed to `task.created` and `task.updated`: four answer
   at once from a loopback receiver, one is down (a socket that accepts and never
   answers, so each try waits out the 10 s timeout);
3. records EVENTS `task.created` events (100 per transaction, through
   `automation.events.record_event`: the outbox row, the fan-out to the 5 endpoints and
   the wake-ups, as a change would), then starts WORKERS real `db_worker` processes;
4. polls until every event is handled by the rules and every delivery is delivered or
   waiting for a retry (the down endpoint's first delivery is scheduled for its retry and
   the later ones wait behind it, in order), then stops the workers;
5. prints the time, events per second, and per endpoint the time to its last delivery
   and the p50/p95 of (delivered − event time); then runs again with the down endpoint
   healthy, so the healthy endpoints' figures can be compared with and without it.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workmate.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench_webhooks.sqlite3'}")
os.environ.setdefault("DEBUG", "1")
os.environ["WEBHOOKS_ALLOWED_HOSTS"] = "127.0.0.1"
os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"

EVENTS = int(os.environ.get("EVENTS", "10000"))
WORKERS = int(os.environ.get("WORKERS", "2"))
RULES = 20
HEALTHY = ["hook-a", "hook-b", "hook-c", "hook-d"]

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from workmate.webhooks.tests.receiver import Receiver  # noqa: E402


def fresh_database() -> None:
    name = str(connection.settings_dict["NAME"])
    if "bench" not in name:
        sys.exit(f"Refusing to wipe {name!r}: its name must contain 'bench'.")
    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)


class BlackHole:
    """A TCP server that accepts connections and never answers: a stuck endpoint."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            conn, _ = self.sock.accept()
            self.held.append(conn)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/down"


def world(receiver: Receiver, down_url: str | None):
    from workmate.accounts.models import Team, TeamRole
    from workmate.automation.models import Rule
    from workmate.testing.factories import add_member, make_project, make_task, make_user
    from workmate.webhooks import services

    team = Team.objects.create(code="BW", name="Bench webhooks")
    owner = make_user(email="owner@bench.example", full_name="Bench Owner", is_superuser=True)
    add_member(team, owner, TeamRole.LEAD)
    project = make_project(owner=owner, team=team, name="Bench")
    tasks = [make_task(project=project, title=f"Bench task {n}") for n in range(200)]
    for n in range(RULES):
        matches = n < 2
        Rule.objects.create(
            name=f"Rule {n}",
            owner=owner,
            scope="project",
            project=project,
            position=n,
            object_type="task",
            trigger="event",
            event_type="task.created",
            conditions={
                "all": [
                    {
                        "field": "title",
                        "op": "contains" if matches else "is",
                        "value": "Bench" if matches else f"never {n}",
                    }
                ]
            },
            actions=[{"type": "add_tag", "params": {"tag": f"rule-{n}"}}],
            max_runs_per_hour=10**9,
        )
    endpoints = []
    for name in [*HEALTHY, "down"]:
        url = receiver.url(name) if name != "down" or down_url is None else down_url
        endpoints.append(
            services.do_create_endpoint(
                owner,
                name=name,
                url=url,
                scope="project",
                project=project,
                event_types=["task.created", "task.updated"],
            )
        )
    return owner, project, tasks, endpoints


def record(owner, project, tasks) -> float:
    from workmate.automation.events import record_event

    started = time.monotonic()
    for start in range(0, EVENTS, 100):
        with transaction.atomic():
            for n in range(start, min(start + 100, EVENTS)):
                task = tasks[n % len(tasks)]
                record_event(
                    "task.created",
                    obj=task,
                    actor=owner,
                    project=project,
                    payload={"title": task.title, "n": n},
                )
    return time.monotonic() - started


def start_workers() -> list[subprocess.Popen[bytes]]:
    return [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2"],
            cwd=ROOT,
            env={**os.environ, "DEBUG": "0", "SECRET_KEY": "bench", "ALLOWED_HOSTS": "x"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(WORKERS)
    ]


def settled(down_id: int | None) -> bool:
    from workmate.automation.models import Event
    from workmate.webhooks.models import Delivery

    if Event.objects.filter(handled_at__isnull=True).exists():
        return False
    waiting = Delivery.objects.waiting()
    if down_id is None:
        return not waiting.exists()
    if waiting.exclude(endpoint_id=down_id).exists():
        return False
    # The down endpoint's head has failed and is scheduled for a retry (the rest wait).
    head = waiting.filter(endpoint_id=down_id).order_by("id").first()
    return head is None or (head.attempt_count > 0 and head.next_attempt_at > timezone.now())


def run(down: bool) -> dict[str, object]:
    fresh_database()
    receiver = Receiver().start()
    hole = BlackHole() if down else None
    owner, project, tasks, endpoints = world(receiver, hole.url if hole else None)
    recorded = record(owner, project, tasks)
    down_id = endpoints[-1].pk if down else None
    workers = start_workers()
    started = time.monotonic()
    started_at = timezone.now()
    try:
        while not settled(down_id):
            time.sleep(0.5)
            if time.monotonic() - started > 3600:
                raise SystemExit("Not settled within an hour.")
        elapsed = time.monotonic() - started
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        receiver.stop()
    return {"recorded": recorded, "elapsed": elapsed, **figures(endpoints, started_at)}


def figures(endpoints, started_at) -> dict[str, object]:
    from django.db.models import Max

    from workmate.automation.models import Event, RuleRun
    from workmate.webhooks.models import Attempt, Delivery

    per_endpoint = {}
    for endpoint in endpoints:
        done = Delivery.objects.filter(endpoint=endpoint, status="delivered")
        last = done.aggregate(last=Max("finished_at"))["last"]
        tries = list(
            Attempt.objects.filter(delivery__endpoint=endpoint).values_list(
                "duration_ms", flat=True
            )
        )
        per_endpoint[endpoint.name] = {
            "delivered": done.count(),
            "waiting": Delivery.objects.filter(endpoint=endpoint, status="waiting").count(),
            "tries": len(tries),
            "try_ms_p50": statistics.median(tries) if tries else None,
            "try_ms_p95": (
                statistics.quantiles(tries, n=20)[-1] if len(tries) >= 20 else max(tries or [0])
            ),
            "last_delivered_s": (last - started_at).total_seconds() if last else None,
        }
    return {
        "events": Event.objects.count(),
        "runs": RuleRun.objects.count(),
        "deliveries": Delivery.objects.count(),
        "endpoints": per_endpoint,
    }


def show(title: str, result: dict[str, object]) -> None:
    print(f"\n## {title}")
    print(
        f"events {result['events']} (recorded in {result['recorded']:.1f} s), "
        f"rule runs {result['runs']}, deliveries {result['deliveries']}"
    )
    print(
        f"settled in {result['elapsed']:.1f} s after the workers started: "
        f"{result['events'] / result['elapsed']:.0f} events/s"
    )
    print("| endpoint | delivered | waiting | tries | try p50 ms | try p95 ms | last delivered |")
    print("|---|---|---|---|---|---|---|")
    for name, row in result["endpoints"].items():  # type: ignore[attr-defined]
        last = row["last_delivered_s"]
        print(
            f"| {name} | {row['delivered']} | {row['waiting']} | {row['tries']} | "
            f"{row['try_ms_p50']} | {row['try_ms_p95']:.0f} | "
            f"{'—' if last is None else f'{last:.1f} s'} |"
        )


if __name__ == "__main__":
    print(f"load average before: {os.getloadavg()}")
    with_down = run(down=True)
    show(f"{EVENTS} events, {RULES} rules, 5 endpoints, one down, {WORKERS} workers", with_down)
    print(f"load average: {os.getloadavg()}")
    if os.environ.get("BASELINE", "1") == "1":
        all_up = run(down=False)
        show("The same with all five endpoints up", all_up)
        print(f"load average after: {os.getloadavg()}")
