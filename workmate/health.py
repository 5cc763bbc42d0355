"""Probes for load balancers and monitors (docs/deploy.md, "What to watch").

- /healthz: the process answers; touches nothing else (also the benchmarks' yardstick
  for what the server and middleware cost alone).
- /readyz: the installation can do its work: the database answers, every migration on
  disk is applied, a background worker beat within READYZ_HEARTBEAT_SECONDS and no job
  ready to run has waited longer than READYZ_QUEUE_AGE_SECONDS. 200 when all hold, 503
  with the failing checks named otherwise.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from workmate.ops import metrics

logger = logging.getLogger(__name__)

# A constant body: the yardstick stays what the server and middleware cost alone.
HEALTHY = b'{"status": "ok"}'


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse(HEALTHY, content_type="application/json")


# The migrations on disk do not change while the process runs: read them once. Once all
# are applied they stay applied, so later probes skip that query.
_on_disk: set[tuple[str, str]] | None = None
_all_applied = False


def unapplied_migrations() -> list[str]:
    global _on_disk, _all_applied
    if _all_applied:
        return []
    if _on_disk is None:
        _on_disk = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    applied = set(MigrationRecorder(connection).applied_migrations())
    missing = sorted(f"{app}.{name}" for app, name in _on_disk - applied)
    _all_applied = not missing
    return missing


def readiness() -> tuple[bool, dict[str, dict[str, object]]]:
    """(ready, the outcome of each check)."""
    checks: dict[str, dict[str, object]] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = {"ok": True}
        missing = unapplied_migrations()
        checks["migrations"] = {"ok": not missing, "unapplied": missing[:20]}
        now = timezone.now()
        age = metrics.newest_heartbeat_age(now)
        limit = settings.READYZ_HEARTBEAT_SECONDS
        checks["worker"] = {
            "ok": age is not None and age <= limit,
            "heartbeat_age_seconds": None if age is None else round(age, 1),
            "limit_seconds": limit,
        }
        backlog = metrics.queue_backlog(now)
        oldest = max(((now - since).total_seconds() for _, _, since in backlog), default=0.0)
        limit = settings.READYZ_QUEUE_AGE_SECONDS
        checks["queue"] = {
            "ok": oldest <= limit,
            "oldest_job_age_seconds": round(oldest, 1),
            "limit_seconds": limit,
        }
    except DatabaseError as exc:
        # The error's text may name hosts and users: logged, not shown to anonymous callers.
        logger.warning("Readiness: the database failed: %s", exc)
        checks["database"] = {"ok": False, "error": type(exc).__name__}
    ready = all(check["ok"] for check in checks.values())
    return ready, checks


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    ready, checks = readiness()
    response = JsonResponse({"status": "ok" if ready else "failing", "checks": checks})
    if not ready:
        response.status_code = 503
        response["Retry-After"] = "10"
    return response
