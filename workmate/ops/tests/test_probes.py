"""/healthz, /readyz and /metrics as a load balancer, a monitor and a scraper see them."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from workmate import health
from workmate.ops import metrics
from workmate.ops.models import WorkerHeartbeat
from workmate.ops.tasks import prune_task_results

TOKEN = "s3cret-metrics-token"


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def worker_alive(db):
    return WorkerHeartbeat.objects.create(worker_id="host:1:abc", host="host", pid=1)


def test_healthz_answers_json_without_the_database(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(queries) == 0


def test_readyz_is_ready_with_a_live_worker_and_an_empty_queue(
    client, worker_alive, django_assert_max_num_queries
):
    health.unapplied_migrations()  # The first probe reads the migrations once.
    with django_assert_max_num_queries(3):
        response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "worker", "queue"}
    assert body["checks"]["worker"]["heartbeat_age_seconds"] < 5


def test_readyz_fails_without_a_worker_heartbeat(client, db):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"]
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["worker"] == {
        "ok": False,
        "heartbeat_age_seconds": None,
        "limit_seconds": 60,
    }
    assert body["checks"]["database"] == {"ok": True}


def test_readyz_fails_when_the_last_heartbeat_is_stale(client, worker_alive, settings):
    settings.READYZ_HEARTBEAT_SECONDS = 30
    WorkerHeartbeat.objects.update(last_seen=timezone.now() - datetime.timedelta(seconds=45))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["ok"] is False


def test_readyz_fails_when_the_oldest_ready_job_waited_too_long(
    client, worker_alive, database_tasks, settings
):
    settings.READYZ_QUEUE_AGE_SECONDS = 120
    prune_task_results.enqueue()
    response = client.get("/readyz")
    assert response.status_code == 200
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(seconds=600))
    response = client.get("/readyz")
    assert response.status_code == 503
    queue = response.json()["checks"]["queue"]
    assert queue["ok"] is False
    assert 590 < queue["oldest_job_age_seconds"] < 700


def test_readyz_names_unapplied_migrations(client, worker_alive, monkeypatch):
    monkeypatch.setattr(health, "_all_applied", False)
    monkeypatch.setattr(health, "_on_disk", {("ops", "9999_not_yet")})
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {
        "ok": False,
        "unapplied": ["ops.9999_not_yet"],
    }


def test_real_migrations_are_all_applied_in_the_test_database(db, monkeypatch):
    monkeypatch.setattr(health, "_all_applied", False)
    monkeypatch.setattr(health, "_on_disk", None)
    assert health.unapplied_migrations() == []


def test_metrics_is_not_there_without_a_token(client, db, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_metrics_refuses_a_wrong_or_missing_token(client, db, settings):
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 401
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong")
    assert response.status_code == 401
    assert b"workmate_" not in response.content


def _sample(text: str, name: str, **labels: str) -> float | None:
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return None


def _scrape(client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def test_metrics_count_requests_by_view_and_status(client, alice, settings):
    settings.METRICS_TOKEN = TOKEN
    name = "workmate_http_requests_total"
    before = _sample(_scrape(client), name, view="healthz", status="200") or 0
    missing_before = _sample(_scrape(client), name, view="<unmatched>", status="404") or 0
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no/such/page")
    text = _scrape(client)
    assert _sample(text, name, view="healthz", method="GET", status="200") == before + 2
    assert _sample(text, name, view="<unmatched>", status="404") == missing_before + 1
    assert _sample(text, "workmate_http_request_duration_seconds_count", view="healthz") >= 2


def test_metrics_read_the_queue_from_the_database(client, worker_alive, database_tasks, settings):
    settings.METRICS_TOKEN = TOKEN
    prune_task_results.enqueue()
    prune_task_results.enqueue()
    DBTaskResult.objects.filter(pk=DBTaskResult.objects.order_by("enqueued_at").first().pk).update(
        enqueued_at=timezone.now() - datetime.timedelta(seconds=90)
    )
    text = _scrape(client)
    assert _sample(text, "workmate_queue_depth", queue="default") == 2
    assert 89 < _sample(text, "workmate_queue_oldest_job_age_seconds", queue="default") < 200
    assert 0 <= _sample(text, "workmate_worker_heartbeat_age_seconds") < 5


def test_an_app_adds_its_figures_through_the_registry(client, db, settings, monkeypatch):
    from prometheus_client.core import CounterMetricFamily

    class Failures:
        def collect(self):
            family = CounterMetricFamily("workmate_webhook_failures", "Failed deliveries.")
            family.add_metric([], 3)
            yield family

    monkeypatch.setattr(metrics, "_collectors", list(metrics._collectors))
    metrics.register(Failures())
    settings.METRICS_TOKEN = TOKEN
    assert _sample(_scrape(client), "workmate_webhook_failures_total") == 3


def test_probes_answer_plain_http_when_https_is_enforced(client, worker_alive, settings):
    # The balancer probes the backend over plain HTTP; every other page redirects.
    settings.SECURE_SSL_REDIRECT = True
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert client.get("/login/").status_code == 301
