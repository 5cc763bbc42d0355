"""Gunicorn settings ./run and the benchmarks add to their command line
(`--config python:workmate.ops.gunicorn_conf`).

A gunicorn worker whose master was killed outright (kill -9, the OOM killer) goes on
serving the old code from the inherited socket until its next idle check, half a minute
later; it is told to end with its master instead (Linux: prctl PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from typing import Any

PR_SET_PDEATHSIG = 1


def end_with_parent() -> bool:
    """Have this process get TERM when its parent dies (False where Linux's prctl is not)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def post_fork(server: Any, worker: Any) -> None:
    if end_with_parent() and os.getppid() != worker.ppid:
        # The master died between the fork and the prctl call: no signal will come.
        os.kill(os.getpid(), signal.SIGTERM)


def post_worker_init(worker: Any) -> None:
    """Move everything the worker holds after loading the app out of the garbage
    collector's reach, and collect the youngest generation less often: a page that
    allocates tens of thousands of objects (a 400-page tree, a 30-person calibration)
    otherwise triggers full collections over the whole process in the middle of a
    request (measured: max 177 ms against a 32 ms median, bench/README.md)."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def child_exit(server: Any, worker: Any) -> None:
    """With PROMETHEUS_MULTIPROC_DIR set, each worker writes its metrics to files there;
    a worker that ended must stop counting in the live gauges (its counters stay summed)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
