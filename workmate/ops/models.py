from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row per running `manage.py db_worker`, refreshed every few seconds.

    A job left RUNNING by a worker whose row went stale, or whose process is gone from
    this host, was interrupted by the worker's death (`workmate.ops.jobs`).
    """

    # The id db_worker writes into each job it claims (DBTaskResult.worker_ids).
    worker_id = models.CharField(_("worker id"), max_length=64, primary_key=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}, pid {self.pid})"
