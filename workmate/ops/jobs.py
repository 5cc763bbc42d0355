"""Background jobs whose worker died: noticed within a minute and run again or failed.

django-tasks-db marks a job RUNNING when a worker claims it and only the same worker
marks it finished, so a worker killed mid-job (out of memory, SIGKILL, a lost machine)
leaves the job RUNNING for ever. Each `db_worker` therefore keeps a heartbeat row
(`WorkerHeartbeat`, refreshed every HEARTBEAT_SECONDS by a thread of the worker), and the
clock calls `recover_lost_jobs()` every few seconds:

1. list the RUNNING jobs and the heartbeat of the worker that claimed each one;
2. a worker on this host is dead as soon as its process is gone; one on another host
   when its heartbeat is older than STALE_SECONDS; one without a heartbeat row when its
   job was claimed longer ago than that;
3. under a row lock (another clock may be doing the same), each of its jobs is, by kind:
   - run again (status READY, the next worker takes it) while it has been tried fewer
     than MAX_ATTEMPTS times, for one-off jobs — every task is safe to run twice;
   - marked failed, for kinds registered with `rerun=False` (the clock's periodic tasks,
     which the next minute's tick queues again anyway), and for a job that has now been
     tried MAX_ATTEMPTS times (a job that kills its worker must not loop for ever);
   - and the kind's own `on_lost` hook tells its domain row (an import goes back to
     "queued", or says it failed);
4. the heartbeats of dead workers are deleted.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from workmate.ops.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10
# Three missed beats: a worker on another host is dead after this long without one.
STALE_SECONDS = 30
# A process on this host that has not beaten for this long is not our worker any more.
PID_REUSED_SECONDS = 600
# How often the clock looks for lost jobs (so one is noticed well within a minute).
RECOVER_SECONDS = 15
MAX_ATTEMPTS = 3


class WorkerLost(Exception):
    """The job's worker stopped while running it (recorded as the job's error)."""


@dataclass(frozen=True)
class Policy:
    rerun: bool = True
    # Called with the job's own arguments and `rerun=`, inside the recovery transaction.
    on_lost: Callable[..., Any] | None = None


_policies: dict[str, Policy] = {}


def when_worker_dies(task: Any, *, rerun: bool = True, on_lost: Callable | None = None) -> None:
    """Say what to do with a job of this task (a Task or its dotted path) whose worker died."""
    path = task if isinstance(task, str) else task.module_path
    _policies[path] = Policy(rerun=rerun, on_lost=on_lost)


def policy_for(task_path: str) -> Policy:
    with contextlib.suppress(ImportError):
        import_string(task_path)  # Its module registers its policy when imported.
    return _policies.get(task_path, Policy())


# --- The worker's side ---------------------------------------------------------------


def new_worker_id() -> str:
    """host:pid:random, at most 64 characters (django-tasks-db's limit)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(8)}"


@contextmanager
def heartbeat(worker_id: str, every: float = HEARTBEAT_SECONDS) -> Iterator[None]:
    """Keep this worker's heartbeat row fresh while the block runs; remove it after."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started_at": timezone.now(),
            "last_seen": timezone.now(),
        },
    )
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every):
                try:
                    WorkerHeartbeat.objects.update_or_create(
                        worker_id=worker_id,
                        defaults={
                            "host": socket.gethostname(),
                            "pid": os.getpid(),
                            "last_seen": timezone.now(),
                        },
                    )
                except DatabaseError:
                    # A busy database: the next beat tries again; missing a few is fine.
                    logger.warning("Worker %s could not record its heartbeat", worker_id)
        finally:
            connection.close()  # This thread's own connection.

    thread = threading.Thread(target=beat, name="worker-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)
        WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


# --- The clock's side ----------------------------------------------------------------


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # Someone else's process: alive.
        return False
    return False


def _dead_workers(worker_ids: set[str], now: datetime.datetime) -> tuple[set[str], set[str]]:
    """(ids of dead workers, ids with no heartbeat) among `worker_ids`.

    On this host the process table decides, as soon as the process is gone: a live worker
    whose beats are held up (a long SQLite write holds the lock) is not taken for dead.
    Only a heartbeat silent for PID_REUSED_SECONDS overrides it (the id was reused).
    From another host only the heartbeat tells.
    """
    here = socket.gethostname()
    stale = now - datetime.timedelta(seconds=STALE_SECONDS)
    reused = now - datetime.timedelta(seconds=PID_REUSED_SECONDS)
    beats = WorkerHeartbeat.objects.in_bulk(worker_ids)
    dead = set()
    for worker_id, beat in beats.items():
        if beat.host == here:
            if _process_gone(beat.pid) or beat.last_seen < reused:
                dead.add(worker_id)
        elif beat.last_seen < stale:
            dead.add(worker_id)
    return dead, worker_ids - set(beats)


def recover_lost_jobs(now: datetime.datetime | None = None) -> list[tuple[str, str]]:
    """Run again or fail the RUNNING jobs whose worker died; returns (job id, outcome)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=STALE_SECONDS)
    running = list(DBTaskResult.objects.running().values_list("id", "worker_ids", "started_at"))
    claimed_by = {str(pk): (ids[-1] if ids else "", started) for pk, ids, started in running}
    dead, unknown = _dead_workers({worker for worker, _ in claimed_by.values()}, now)
    outcomes = []
    for pk, (worker_id, started_at) in claimed_by.items():
        lost = worker_id in dead or (
            worker_id in unknown and (started_at is None or started_at < cutoff)
        )
        if lost:
            outcome = _recover(pk, worker_id)
            if outcome:
                outcomes.append((pk, outcome))
    stale = WorkerHeartbeat.objects.filter(worker_id__in=dead)
    stale.delete()
    return outcomes


def release_claimed(worker_id: str) -> list[tuple[str, str]]:
    """Hand back (or fail, by policy) the jobs a live worker left RUNNING when it lost the
    database mid-job: it cannot finish them, and no clock takes a live worker for dead."""
    running = DBTaskResult.objects.running().values_list("id", "worker_ids")
    outcomes = []
    for pk, worker_ids in running:
        if worker_ids[-1:] == [worker_id]:
            outcome = _recover(str(pk), worker_id)
            if outcome:
                outcomes.append((str(pk), outcome))
    return outcomes


@transaction.atomic
def _recover(pk: str, worker_id: str) -> str | None:
    # Lock the job: two clocks may find the same one; the worker may just have finished.
    result = DBTaskResult.objects.select_for_update().filter(pk=pk).first()
    if result is None or result.status != TaskResultStatus.RUNNING:
        return None
    if result.worker_ids[-1:] != [worker_id]:
        return None
    policy = policy_for(result.task_path)
    attempts = len(result.worker_ids)
    rerun = policy.rerun and attempts < MAX_ATTEMPTS
    if rerun:
        result.status = TaskResultStatus.READY
        result.started_at = None
        result.save(update_fields=["status", "started_at"])
        outcome = "rerun"
    else:
        result.set_failed(
            WorkerLost(
                f"The worker {worker_id} stopped while running this job "
                f"(attempt {attempts} of {MAX_ATTEMPTS if policy.rerun else 1})."
            )
        )
        outcome = "failed"
    if policy.on_lost is not None:
        args = result.args_kwargs or {}
        policy.on_lost(*args.get("args", []), rerun=rerun, **args.get("kwargs", {}))
    logger.warning(
        "Job %s (%s) lost its worker %s after %s attempt(s): %s",
        pk,
        result.task_path,
        worker_id,
        attempts,
        "queued to run again" if rerun else "marked failed",
    )
    return outcome


def prune_finished_results(now: datetime.datetime | None = None) -> int:
    """Delete succeeded and failed job results finished over TASK_RESULTS_KEEP_DAYS ago.

    The same rows as django-tasks-db's `prune_db_task_results --queue-name '*'`; waiting
    and running jobs are never touched, so the recovery scan above keeps its rows. Returns
    how many results were deleted; running it again deletes nothing more.
    """
    from django.conf import settings

    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.TASK_RESULTS_KEEP_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lte=cutoff).delete()
    return deleted
