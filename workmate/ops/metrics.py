"""Prometheus metrics at /metrics, for a scraper that sends `Authorization: Bearer
$METRICS_TOKEN` (without METRICS_TOKEN set the address answers 404).

Two kinds of figures:

- counted in the web process as requests pass (`REQUESTS`, `LATENCY`, by view name and
  status). Under gunicorn each worker process counts its own; with PROMETHEUS_MULTIPROC_DIR
  set they write to files in that directory and a scrape adds them up
  (`workmate.ops.gunicorn_conf` removes a dead worker's live values);
- read from the database when scraped (queue depth and oldest job age per queue, worker
  heartbeats, and what apps register): the database is shared by every process on every
  host, so any web process answers for the whole installation.

An app adds its own figures with `register(collector)`, from its `AppConfig.ready()`: a
collector is an object with a `collect()` method yielding prometheus_client metric
families (`GaugeMetricFamily`, `CounterMetricFamily`), read from the database on each
scrape. The desk registers mails in and out and SLA breaches this way
(`workmate/desk/metrics.py`); docs/deploy.md lists every metric.
"""

from __future__ import annotations

import datetime
import hmac
import os
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.db.models import Count, Min, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "workmate_http_requests",
    "Requests answered, by view name, method and status code.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "workmate_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by view name.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


class Collector(Protocol):
    def collect(self) -> Iterable[Metric]: ...


_collectors: list[Collector] = []


def register(collector: Collector) -> None:
    """Have `collector.collect()` called on every scrape (see the module docstring)."""
    if collector not in _collectors:
        _collectors.append(collector)


def observe(view: str, method: str, status: int, seconds: float) -> None:
    method = method if method in KNOWN_METHODS else "other"
    REQUESTS.labels(view=view, method=method, status=str(status)).inc()
    LATENCY.labels(view=view).observe(seconds)


class QueueCollector:
    """Background jobs waiting to run and how long the oldest has waited, per queue, and
    the age of the freshest worker heartbeat (one query each)."""

    def collect(self) -> Iterable[Metric]:
        depth = GaugeMetricFamily(
            "workmate_queue_depth", "Jobs ready to run and not yet started.", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "workmate_queue_oldest_job_age_seconds",
            "How long the oldest job ready to run has waited since it became due.",
            labels=["queue"],
        )
        now = timezone.now()
        for queue, count, waiting_since in queue_backlog(now):
            depth.add_metric([queue], count)
            oldest.add_metric([queue], (now - waiting_since).total_seconds())
        yield depth
        yield oldest
        heartbeat = GaugeMetricFamily(
            "workmate_worker_heartbeat_age_seconds",
            "Seconds since the most recent heartbeat of any background worker (-1: none).",
        )
        age = newest_heartbeat_age(now)
        heartbeat.add_metric([], -1 if age is None else age)
        yield heartbeat


def queue_backlog(now: datetime.datetime) -> list[tuple[str, int, datetime.datetime]]:
    """(queue, jobs ready to run, since when the oldest has been due) for each queue with
    jobs due. A job is due from when it was enqueued, or from its `run_after` if later."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    not_deferred = Q(run_after=get_date_max())
    rows = (
        DBTaskResult.objects.ready()
        .values("queue_name")
        .annotate(
            count=Count("id"),
            oldest_enqueued=Min("enqueued_at", filter=not_deferred),
            oldest_deferred=Min("run_after", filter=~not_deferred),
        )
        .order_by("queue_name")
    )
    backlog = []
    for row in rows:
        since = min(t for t in (row["oldest_enqueued"], row["oldest_deferred"]) if t)
        backlog.append((row["queue_name"], row["count"], min(since, now)))
    return backlog


def newest_heartbeat_age(now: datetime.datetime) -> float | None:
    from workmate.ops.models import WorkerHeartbeat

    last = WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True)
    newest = last.first()
    return None if newest is None else max(0.0, (now - newest).total_seconds())


register(QueueCollector())


class _Registered:
    """The registered collectors as one collector of a scrape's registry."""

    def collect(self) -> Iterable[Metric]:
        for collector in _collectors:
            yield from collector.collect()


def exposition() -> bytes:
    """The metrics text a scrape returns."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Every gunicorn worker's counts, added up from the shared directory.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        counted = generate_latest(registry)
    else:
        counted = generate_latest(REGISTRY)
    database = CollectorRegistry()
    database.register(_Registered())
    return counted + generate_latest(database)


def _authorized(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not settings.METRICS_TOKEN:
        raise Http404
    if not _authorized(request):
        response = HttpResponse("Send Authorization: Bearer $METRICS_TOKEN.\n", status=401)
        response["Content-Type"] = "text/plain; charset=utf-8"
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
