from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Keeping an installation running: start-up, the worker's heartbeat, backups."""

    name = "workmate.ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        # A job remembers the request that enqueued it and runs under its id
        # (workmate/ops/requestid.py).
        from django.core.signals import request_finished
        from django.db.models.signals import pre_save
        from django_tasks_db.compat import task_finished, task_started
        from django_tasks_db.models import DBTaskResult

        from workmate.ops import requestid

        pre_save.connect(requestid.stamp_job, sender=DBTaskResult, dispatch_uid="ops.stamp_job")
        task_started.connect(requestid.job_started, dispatch_uid="ops.job_started")
        task_finished.connect(requestid.job_finished, dispatch_uid="ops.job_finished")
        request_finished.connect(requestid.request_finished, dispatch_uid="ops.request_finished")
