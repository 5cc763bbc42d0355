"""One id per request, in every log line it causes, here and in the worker jobs it enqueues.

1. The outermost middleware (`workmate.ops.middleware`) takes the caller's X-Request-ID
   when it is sane (a proxy or load balancer usually sets one) or makes a new one, keeps
   it in a context variable for the request, and returns it in the response header.
2. A job enqueued while the variable is set carries the id in its row: the database
   backend saves `args_kwargs` as `{"args": …, "kwargs": …}` and reads only those two keys,
   so a third key, `request_id`, is added as the row is first saved (`pre_save`). No call
   site changes and no extra query.
3. In the worker, `task_started` puts the job's id back into the variable and
   `task_finished` clears it, so the job's log lines name the request that caused it.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from typing import Any

logger = logging.getLogger("workmate.jobs")

# Letters, digits and . _ : - only, at most 128 characters: a header value may not smuggle
# a line break or a megabyte into every log line.
SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
KEY = "request_id"

current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def from_header(value: str | None) -> str:
    """The caller's id when it is sane, a new one otherwise."""
    if value and SANE.fullmatch(value):
        return value
    return uuid.uuid4().hex


def stamp_job(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """pre_save of DBTaskResult: a new job row remembers the request that enqueued it."""
    request_id = current.get()
    if raw or not request_id or not instance._state.adding:
        return
    if isinstance(instance.args_kwargs, dict) and KEY not in instance.args_kwargs:
        instance.args_kwargs = {**instance.args_kwargs, KEY: request_id}


def job_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """task_started: the job runs under the id of the request that enqueued it."""
    db_result = getattr(task_result, "db_result", None)
    args_kwargs = getattr(db_result, "args_kwargs", None) or {}
    request_id = args_kwargs.get(KEY, "") if isinstance(args_kwargs, dict) else ""
    if not request_id:
        # The immediate backend runs the job inside the request: its id is already set.
        return
    current.set(request_id)
    path = task_result.task.module_path
    logger.info("Job %s (%s) runs for request %s", task_result.id, path, request_id)


def job_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """task_finished: the worker's next job must not inherit this one's id."""
    db_result = getattr(task_result, "db_result", None)
    if db_result is not None:
        current.set("")


def request_finished(sender: Any, **kwargs: Any) -> None:
    """request_finished: the response is closed; what the thread logs next is not its."""
    current.set("")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (empty outside a request or a job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, KEY, ""):
            record.request_id = current.get()
        return True
